// Clerk's JSON as it travels (snake_case: API pages and webhook payloads alike) → the camelCase
// shapes the map stage validates. Fields are copied as they are, absent ones included, so the map
// stage sees and reports what is missing; nothing here validates.
import type { ClerkMembership, ClerkOrganization, ClerkUser } from "./types.ts";

type Wire = Record<string, unknown>;
const list = (v: unknown): Wire[] => (Array.isArray(v) ? (v as Wire[]) : []);

export function userFromWire(w: Wire): ClerkUser {
  return {
    id: w.id as string,
    externalId: (w.external_id ?? null) as string | null,
    firstName: (w.first_name ?? null) as string | null,
    lastName: (w.last_name ?? null) as string | null,
    username: (w.username ?? null) as string | null,
    imageUrl: w.image_url as string,
    primaryEmailAddressId: (w.primary_email_address_id ?? null) as string | null,
    emailAddresses: list(w.email_addresses).map((e) => ({ id: e.id as string, emailAddress: e.email_address as string })),
    primaryPhoneNumberId: (w.primary_phone_number_id ?? null) as string | null,
    phoneNumbers: list(w.phone_numbers).map((p) => ({ id: p.id as string, phoneNumber: p.phone_number as string })),
    publicMetadata: w.public_metadata as Record<string, unknown> | null,
    privateMetadata: w.private_metadata as Record<string, unknown> | null,
    unsafeMetadata: w.unsafe_metadata as Record<string, unknown> | null,
    banned: w.banned as boolean,
    locked: w.locked as boolean,
    lastSignInAt: (w.last_sign_in_at ?? null) as number | null,
    createdAt: w.created_at as number,
    updatedAt: w.updated_at as number,
  };
}

export function organizationFromWire(w: Wire): ClerkOrganization {
  return {
    id: w.id as string,
    name: w.name as string,
    slug: w.slug as string,
    imageUrl: w.image_url as string,
    publicMetadata: w.public_metadata as Record<string, unknown> | null,
    privateMetadata: w.private_metadata as Record<string, unknown> | null,
    maxAllowedMemberships: w.max_allowed_memberships as number,
    createdBy: (w.created_by ?? null) as string | null,
    createdAt: w.created_at as number,
    updatedAt: w.updated_at as number,
  };
}

/** `public_user_data` is optional in the spec: absent, the map stage reports that one membership. */
export function membershipFromWire(w: Wire): ClerkMembership {
  const user = w.public_user_data as Wire | null | undefined;
  return {
    id: w.id as string,
    role: w.role as string,
    permissions: w.permissions as string[],
    publicMetadata: w.public_metadata as Record<string, unknown> | null,
    privateMetadata: w.private_metadata as Record<string, unknown> | null,
    createdAt: w.created_at as number,
    updatedAt: w.updated_at as number,
    organization: { id: (w.organization as Wire | undefined)?.id as string },
    publicUserData: user ? { userId: user.user_id as string } : user,
  };
}

// Wire shapes of CONTRACT.md §3: every field the spec requires, null or [] where there is no
// value, timestamps in epoch milliseconds, `object` discriminators on everything.
import { ROLES, type EmailRecord, type MembershipRecord, type OrganizationRecord, type UserRecord } from "./model.ts";
import type { EmulatorStore } from "./store.ts";

const VERIFIED = { object: "verification_admin", status: "verified", strategy: "admin", attempts: null, expire_at: null } as const;
const DEFAULT_AVATAR = "https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCJ9";

export function serializeEmailAddress(e: EmailRecord): Record<string, unknown> {
  return {
    id: e.id,
    object: "email_address",
    email_address: e.emailAddress,
    reserved: e.reserved,
    verification: VERIFIED,
    linked_to: [],
    matches_sso_connection: false,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

export function serializeUser(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    object: "user",
    external_id: user.externalId,
    primary_email_address_id: user.primaryEmailId,
    primary_phone_number_id: user.primaryPhoneId,
    primary_web3_wallet_id: null,
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    locale: null,
    profile_image_url: user.imageUrl ?? DEFAULT_AVATAR,
    image_url: user.imageUrl ?? DEFAULT_AVATAR,
    has_image: user.imageUrl !== null,
    public_metadata: user.publicMetadata,
    private_metadata: user.privateMetadata,
    unsafe_metadata: user.unsafeMetadata,
    email_addresses: user.emails.map(serializeEmailAddress),
    phone_numbers: user.phones.map((p) => ({
      id: p.id,
      object: "phone_number",
      phone_number: p.phoneNumber,
      reserved_for_second_factor: false,
      default_second_factor: false,
      reserved: false,
      verification: VERIFIED,
      linked_to: [],
      backup_codes: null,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
    })),
    web3_wallets: [],
    passkeys: [],
    password_enabled: user.passwordEnabled,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    mfa_enabled_at: null,
    mfa_disabled_at: null,
    password_last_updated_at: user.passwordEnabled ? user.createdAt : null,
    external_accounts: [],
    saml_accounts: [],
    enterprise_accounts: [],
    last_sign_in_at: user.lastSignInAt,
    banned: user.banned,
    locked: user.locked,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: 100,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    delete_self_enabled: true,
    create_organization_enabled: true,
    create_organizations_limit: null,
    last_active_at: user.lastActiveAt,
    legal_accepted_at: null,
    bypass_client_trust: false,
  };
}

export function serializeOrganization(org: OrganizationRecord, store: EmulatorStore, includeMembersCount = false): Record<string, unknown> {
  return {
    object: "organization",
    id: org.id,
    name: org.name,
    slug: org.slug,
    image_url: org.imageUrl ?? DEFAULT_AVATAR,
    has_image: org.imageUrl !== null,
    ...(includeMembersCount ? { members_count: store.membersCount(org.id) } : {}),
    max_allowed_memberships: org.maxAllowedMemberships,
    admin_delete_enabled: org.adminDeleteEnabled,
    public_metadata: org.publicMetadata,
    private_metadata: org.privateMetadata,
    ...(org.createdBy ? { created_by: org.createdBy } : {}),
    created_at: org.createdAt,
    updated_at: org.updatedAt,
  };
}

export function serializeMembership(m: MembershipRecord, store: EmulatorStore): Record<string, unknown> {
  const org = store.organizations.get(m.organizationId)!;
  const user = store.users.get(m.userId)!;
  const role = ROLES[m.role];
  return {
    object: "organization_membership",
    id: m.id,
    role: m.role,
    role_name: role?.name ?? m.role,
    permissions: role?.permissions ?? [],
    public_metadata: m.publicMetadata,
    private_metadata: m.privateMetadata,
    organization: serializeOrganization(org, store),
    public_user_data: {
      user_id: user.id,
      first_name: user.firstName,
      last_name: user.lastName,
      profile_image_url: user.imageUrl ?? DEFAULT_AVATAR,
      image_url: user.imageUrl ?? DEFAULT_AVATAR,
      has_image: user.imageUrl !== null,
      identifier: store.primaryEmail(user) ?? user.username ?? user.phones[0]?.phoneNumber ?? "",
      username: user.username,
      banned: user.banned,
    },
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

/** A response body already serialized: sent as it is. */
export class RawJson {
  constructor(readonly text: string) {}
}

// Listing 100k users page by page must not rebuild and re-stringify every object each time:
// each record's JSON is cached until its version changes. The store bumps updated_at on every
// change, and a membership's JSON also embeds its organization and user, so their versions
// are part of its key.
const jsonCache = new WeakMap<object, { key: string; json: string }>();

function cached(record: object, key: string, build: () => unknown): string {
  const hit = jsonCache.get(record);
  if (hit && hit.key === key) return hit.json;
  const json = JSON.stringify(build());
  jsonCache.set(record, { key, json });
  return json;
}

export function userJson(user: UserRecord): string {
  return cached(user, String(user.updatedAt), () => serializeUser(user));
}

export function organizationJson(org: OrganizationRecord, store: EmulatorStore): string {
  return cached(org, String(org.updatedAt), () => serializeOrganization(org, store));
}

export function membershipJson(m: MembershipRecord, store: EmulatorStore): string {
  const org = store.organizations.get(m.organizationId)!;
  const user = store.users.get(m.userId)!;
  return cached(m, `${m.updatedAt}|${org.updatedAt}|${user.updatedAt}`, () => serializeMembership(m, store));
}

/** `[…]` of already-serialized items. */
export function jsonArray(items: readonly string[]): RawJson {
  return new RawJson(`[${items.join(",")}]`);
}

/** `{"data":[…],"total_count":N}` of already-serialized items. */
export function jsonPage(items: readonly string[], totalCount: number): RawJson {
  return new RawJson(`{"data":[${items.join(",")}],"total_count":${totalCount}}`);
}

/** Serializes every record once up front, so even the first listing is served from the cache. */
export function warmJsonCache(store: EmulatorStore): void {
  for (const u of store.users.values()) userJson(u);
  for (const o of store.organizations.values()) organizationJson(o, store);
  for (const m of store.memberships.values()) membershipJson(m, store);
}

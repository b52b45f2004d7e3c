import { z } from "zod";
import type { ClerkMembership, ClerkOrganization, ClerkSnapshot, ClerkUser } from "../clerk/types.ts";
import type { InvalidRecord, MappedSnapshot, MembershipRow, OrganizationRow, UserRow } from "./rows.ts";

const epochMs = z.number().int().nonnegative();
const nullableText = z.string().nullable().optional().transform((v) => v ?? null);

const userSchema = z
  .object({
    id: z.string().regex(/^user_\w+$/, "is not a Clerk user id"),
    firstName: nullableText,
    lastName: nullableText,
    username: nullableText,
    imageUrl: nullableText,
    primaryEmailAddressId: nullableText,
    // Only the primary address is kept: the others may lack `id` (optional in the spec) or be
    // malformed without making the user invalid.
    emailAddresses: z.array(z.object({ id: z.string().nullish(), emailAddress: z.unknown() })),
    createdAt: epochMs,
    updatedAt: epochMs,
  })
  .transform((u, ctx): UserRow => {
    let email: string | null = null;
    if (u.primaryEmailAddressId) {
      const index = u.emailAddresses.findIndex((e) => e.id === u.primaryEmailAddressId);
      if (index < 0) {
        ctx.addIssue({ code: "custom", path: ["primaryEmailAddressId"], message: `${u.primaryEmailAddressId} matches none of the user's email addresses` });
        return z.NEVER;
      }
      const address = u.emailAddresses[index]!.emailAddress;
      if (typeof address !== "string" || !address.includes("@")) {
        ctx.addIssue({ code: "custom", path: ["emailAddresses", index, "emailAddress"], message: "is not an email address" });
        return z.NEVER;
      }
      email = address;
    }
    return { id: u.id, email, firstName: u.firstName, lastName: u.lastName, username: u.username, imageUrl: u.imageUrl, createdAt: u.createdAt, updatedAt: u.updatedAt };
  });

const organizationSchema = z.object({
  id: z.string().regex(/^org_\w+$/, "is not a Clerk organization id"),
  name: z.string().min(1, "is empty"),
  slug: nullableText,
  imageUrl: nullableText,
  createdAt: epochMs,
  updatedAt: epochMs,
});

const membershipSchema = z
  .object({
    id: z.string().regex(/^orgmem_\w+$/, "is not a Clerk membership id"),
    role: z.string().min(1, "is empty"),
    organization: z.object({ id: z.string().regex(/^org_\w+$/, "is not a Clerk organization id") }),
    publicUserData: z.object({ userId: z.string().regex(/^user_\w+$/, "is not a Clerk user id") }, { message: "is missing" }),
    createdAt: epochMs,
    updatedAt: epochMs,
  })
  .transform((m): MembershipRow => ({ id: m.id, organizationId: m.organization.id, userId: m.publicUserData.userId, role: m.role, createdAt: m.createdAt, updatedAt: m.updatedAt }));

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "record"} ${i.message}`).join("; ");
}

/** Where mapped rows go, page by page (the planner). */
export interface RowSink {
  users(rows: readonly UserRow[]): void;
  organizations(rows: readonly OrganizationRow[]): void;
  memberships(rows: readonly MembershipRow[]): void;
}

function mapPage<In, Out>(entity: InvalidRecord["entity"], items: readonly In[], schema: z.ZodType<Out>, present: Set<string>, invalid: InvalidRecord[]): Out[] {
  const rows: Out[] = [];
  for (const item of items) {
    const id = String((item as { id?: unknown })?.id ?? "?");
    present.add(id);
    const parsed = schema.safeParse(item);
    if (parsed.success) rows.push(parsed.data);
    else invalid.push({ entity, id, reason: describe(parsed.error) });
  }
  return rows;
}

/**
 * Maps pages as they arrive and hands the rows on, so no listing is ever held whole as SDK
 * objects. Pure: no IO, no clock. `present` collects every id Clerk listed, valid or not.
 */
export function createSnapshotMapper(sink: RowSink) {
  const invalid: InvalidRecord[] = [];
  const present = { users: new Set<string>(), organizations: new Set<string>(), memberships: new Set<string>() };
  return {
    users: (page: readonly ClerkUser[]) => sink.users(mapPage("user", page, userSchema, present.users, invalid)),
    organizations: (page: readonly ClerkOrganization[]) => sink.organizations(mapPage("organization", page, organizationSchema, present.organizations, invalid)),
    memberships: (page: readonly ClerkMembership[]) => sink.memberships(mapPage("membership", page, membershipSchema, present.memberships, invalid)),
    present,
    invalid,
  };
}

/** Clerk objects → zod-validated rows, all at once. */
export function mapSnapshot(snapshot: Pick<ClerkSnapshot, "users" | "organizations" | "memberships">): MappedSnapshot {
  const out: MappedSnapshot = { users: [], organizations: [], memberships: [], invalid: [] };
  const mapper = createSnapshotMapper({
    users: (rows) => out.users.push(...rows),
    organizations: (rows) => out.organizations.push(...rows),
    memberships: (rows) => out.memberships.push(...rows),
  });
  mapper.users(snapshot.users);
  mapper.organizations(snapshot.organizations);
  mapper.memberships(snapshot.memberships);
  out.invalid.push(...mapper.invalid);
  return out;
}

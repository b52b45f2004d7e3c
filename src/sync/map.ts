import { z } from "zod";
import type { ClerkMembership, ClerkOrganization, ClerkSnapshot, ClerkUser } from "../clerk/types.ts";
import { DEFAULT_MIRROR, keepsField, type ColumnSpec, type EntityName, type Mirror } from "../mirror/columns.ts";
import { canonicalJson } from "../mirror/json-text.ts";
import { createValuePool } from "../mirror/value-pool.ts";
import type { InvalidRecord, MappedSnapshot, MembershipRow, OrganizationRow, UserRow } from "../mirror/rows.ts";

const epochMs = z.number().int().nonnegative();
const nullableText = z.string().nullable().optional().transform((v) => v ?? null);
// PostgreSQL's jsonb cannot hold U+0000: such metadata would fail the whole batch, so the record is reported instead.
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;
/**
 * A JSON object, passed on as parsed: z.record would copy it key by key, and a "__proto__" key
 * (valid data in Clerk's metadata) would be lost on the copy.
 */
const jsonObject = z.custom<Record<string, unknown>>((v) => v !== null && typeof v === "object" && !Array.isArray(v), "expected a JSON object");
const metadata = jsonObject
  .nullable()
  .optional()
  .transform((v) => canonicalJson(v ?? {}))
  .refine((text) => !NUL_ESCAPE.test(text), "contains U+0000, which PostgreSQL jsonb cannot store");

export interface MapOptions {
  /** Mirror private metadata (CLERK_RESYNC_MIRROR_PRIVATE_METADATA); otherwise it is never read and stays null. */
  privateMetadata: boolean;
  /** The app's mapping: which fields it keeps beyond clerk-resync's own (unsafe metadata, values picked out of metadata). */
  mirror?: Mirror;
}

/** A field not kept: never read, null whether Clerk sent it or not. */
const absent = z.unknown().optional().transform((): string | null => null);

/** The value at `path` of parsed metadata, as canonical JSON text; null when absent or JSON null (a column's NULL). */
function pickedValue(metadata: unknown, path: readonly string[]): string | null {
  let value = metadata;
  for (const key of path) value = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
  return value === undefined || value === null ? null : canonicalJson(value);
}

/** Sets the values the app picks out of metadata on a mapped row, each metadata text parsed once; undefined when it picks none. */
function picker(picks: readonly ColumnSpec[]): (<R>(row: R) => R) | undefined {
  if (!picks.length) return undefined;
  return <R>(row: R): R => {
    const fields = row as Record<string, unknown>;
    const parsed = new Map<string, unknown>();
    for (const c of picks) {
      const from = c.pick!.from;
      if (!parsed.has(from)) parsed.set(from, typeof fields[from] === "string" ? JSON.parse(fields[from]) : undefined);
      fields[c.field] = pickedValue(parsed.get(from), c.pick!.path);
    }
    return row;
  };
}

function schemasFor(options: MapOptions) {
  // Values a large listing repeats over many rows (roles, permission lists, metadata, the
  // organization ids of memberships) are kept once: created rows stay in the plan to the end.
  const pool = createValuePool();
  /** Metadata texts, shared as texts: their many distinct values never crowd out roles. */
  const shared = <S extends string | null>(s: S): S => (s === null ? s : (pool.text(s, () => s) as S));
  /** Organization ids, in their own pool: memberships repeat each one, metadata cannot crowd them out. */
  const organizationIds = createValuePool();
  const privateMetadata = options.privateMetadata ? metadata : absent;
  const mirror = options.mirror ?? DEFAULT_MIRROR;
  // Identity where the app picks nothing: the common case adds no work per record.
  const picks = (entity: EntityName) => picker(mirror[entity].compared.filter((c) => c.pick));
  const same = <R>(row: R): R => row;
  const [pickUser, pickOrganization, pickMembership] = [picks("users") ?? same, picks("organizations"), picks("memberships") ?? same];
  const keepsUnsafe = keepsField(mirror.users, "unsafeMetadata");

  const user = z
    .object({
      id: z.string().regex(/^user_\w+$/, "is not a Clerk user id"),
      externalId: nullableText,
      firstName: nullableText,
      lastName: nullableText,
      username: nullableText,
      imageUrl: nullableText,
      primaryEmailAddressId: nullableText,
      // Only the primary address and phone are kept: the others may lack `id` (optional in the
      // spec) or be malformed without making the user invalid.
      emailAddresses: z.array(z.object({ id: z.string().nullish(), emailAddress: z.unknown() })),
      primaryPhoneNumberId: nullableText,
      phoneNumbers: z.array(z.object({ id: z.string().nullish(), phoneNumber: z.unknown() })).optional().transform((v) => v ?? []),
      publicMetadata: metadata,
      privateMetadata,
      // Read only where the app keeps it: clerk-resync's own schema has no column for it.
      unsafeMetadata: keepsUnsafe ? metadata : absent,
      banned: z.boolean().optional().transform((v) => v ?? false),
      locked: z.boolean().optional().transform((v) => v ?? false),
      lastSignInAt: epochMs.nullable().optional().transform((v) => v ?? null),
      createdAt: epochMs,
      updatedAt: epochMs,
    })
    .transform((u, ctx): UserRow => {
      /** The primary item's value: null when there is none, undefined (and an issue) when it is dangling or malformed. */
      const primary = <K extends string>(idField: string, id: string | null, listField: string, items: ({ id?: string | null } & Record<K, unknown>)[], key: K, valid: (v: string) => boolean, what: string) => {
        if (!id) return null;
        const index = items.findIndex((x) => x.id === id);
        if (index < 0) {
          ctx.addIssue({ code: "custom", path: [idField], message: `${id} matches none of the user's ${what}` });
          return undefined;
        }
        const value = items[index]![key];
        if (typeof value !== "string" || !valid(value)) {
          ctx.addIssue({ code: "custom", path: [listField, index, key], message: `is not ${what === "email addresses" ? "an email address" : "a phone number"}` });
          return undefined;
        }
        return value;
      };
      const email = primary("primaryEmailAddressId", u.primaryEmailAddressId, "emailAddresses", u.emailAddresses, "emailAddress", (v) => v.includes("@"), "email addresses");
      const phone = primary("primaryPhoneNumberId", u.primaryPhoneNumberId, "phoneNumbers", u.phoneNumbers, "phoneNumber", (v) => v.length > 0, "phone numbers");
      if (email === undefined || phone === undefined) return z.NEVER;
      const row: UserRow = {
        id: u.id,
        email,
        phoneNumber: phone,
        firstName: u.firstName,
        lastName: u.lastName,
        username: u.username,
        imageUrl: u.imageUrl,
        externalId: u.externalId,
        publicMetadata: shared(u.publicMetadata),
        privateMetadata: shared(u.privateMetadata),
        banned: u.banned,
        locked: u.locked,
        lastSignInAt: u.lastSignInAt,
        createdAt: u.createdAt,
        updatedAt: u.updatedAt,
      };
      if (keepsUnsafe) row.unsafeMetadata = shared(u.unsafeMetadata);
      return pickUser(row);
    });

  const organizationFields = z.object({
    id: z.string().regex(/^org_\w+$/, "is not a Clerk organization id"),
    name: z.string().min(1, "is empty"),
    slug: nullableText,
    imageUrl: nullableText,
    publicMetadata: metadata,
    privateMetadata,
    maxAllowedMemberships: z.number().int().nonnegative().optional().transform((v) => v ?? 0),
    createdBy: nullableText,
    createdAt: epochMs,
    updatedAt: epochMs,
  });
  const organization = pickOrganization ? organizationFields.transform((o) => pickOrganization(o)) : organizationFields;

  const membership = z
    .object({
      id: z.string().regex(/^orgmem_\w+$/, "is not a Clerk membership id"),
      role: z.string().min(1, "is empty"),
      permissions: z.array(z.string()).nullable().optional().transform((v) => v ?? []),
      publicMetadata: metadata,
      privateMetadata,
      organization: z.object({ id: z.string().regex(/^org_\w+$/, "is not a Clerk organization id") }),
      publicUserData: z.object({ userId: z.string().regex(/^user_\w+$/, "is not a Clerk user id") }, { message: "is missing" }),
      createdAt: epochMs,
      updatedAt: epochMs,
    })
    .transform(
      (m): MembershipRow => pickMembership({
        id: m.id,
        organizationId: organizationIds.string(m.organization.id),
        userId: m.publicUserData.userId,
        role: pool.string(m.role),
        permissions: pool.list(JSON.stringify(m.permissions), () => m.permissions),
        publicMetadata: shared(m.publicMetadata),
        privateMetadata: shared(m.privateMetadata),
        createdAt: m.createdAt,
        updatedAt: m.updatedAt,
      }),
    );
  return { user, organization: organization as z.ZodType<OrganizationRow>, membership };
}

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
export function createSnapshotMapper(sink: RowSink, options: MapOptions = { privateMetadata: false }) {
  const schemas = schemasFor(options);
  const invalid: InvalidRecord[] = [];
  const present = { users: new Set<string>(), organizations: new Set<string>(), memberships: new Set<string>() };
  return {
    users: (page: readonly ClerkUser[]) => sink.users(mapPage("user", page, schemas.user, present.users, invalid)),
    organizations: (page: readonly ClerkOrganization[]) => sink.organizations(mapPage("organization", page, schemas.organization, present.organizations, invalid)),
    memberships: (page: readonly ClerkMembership[]) => sink.memberships(mapPage("membership", page, schemas.membership, present.memberships, invalid)),
    present,
    invalid,
  };
}

/** Clerk objects → zod-validated rows, all at once. */
export function mapSnapshot(snapshot: Pick<ClerkSnapshot, "users" | "organizations" | "memberships">, options?: MapOptions): MappedSnapshot {
  const out: MappedSnapshot = { users: [], organizations: [], memberships: [], invalid: [] };
  const mapper = createSnapshotMapper({
    users: (rows) => out.users.push(...rows),
    organizations: (rows) => out.organizations.push(...rows),
    memberships: (rows) => out.memberships.push(...rows),
  }, options);
  mapper.users(snapshot.users);
  mapper.organizations(snapshot.organizations);
  mapper.memberships(snapshot.memberships);
  out.invalid.push(...mapper.invalid);
  return out;
}

interface RowOf {
  user: UserRow;
  organization: OrganizationRow;
  membership: MembershipRow;
}

/** One record (a webhook's `data`), through the same schemas as a listing: one mapping for both paths. */
export function mapRecord<E extends InvalidRecord["entity"]>(entity: E, item: unknown, options: MapOptions = { privateMetadata: false }): { row: RowOf[E] } | { invalid: InvalidRecord } {
  const schema = schemasFor(options)[entity] as z.ZodType<RowOf[E]>;
  const parsed = schema.safeParse(item);
  if (parsed.success) return { row: parsed.data };
  return { invalid: { entity, id: String((item as { id?: unknown })?.id ?? "?"), reason: describe(parsed.error) } };
}

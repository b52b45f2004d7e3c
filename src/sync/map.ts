import { z } from "zod";
import type { ClerkMembership, ClerkOrganization, ClerkSnapshot, ClerkUser } from "../clerk/types.ts";
import { DEFAULT_MIRROR, keepsField, type ColumnSpec, type EntityName, type Mirror } from "../mirror/columns.ts";
import { canonicalJson } from "../mirror/json-text.ts";
import { createValuePool, itself } from "../mirror/value-pool.ts";
import type { InvalidRecord, MappedSnapshot, MembershipRow, OrganizationRow, UserRow } from "../mirror/rows.ts";

const epochMs = z.number().int().nonnegative();
/** Metadata texts up to this length are kept once each (see `shared`). */
const SHARED_TEXT_MAX = 64;
const nullableText = z.string().nullable().optional().transform((v) => v ?? null);
// PostgreSQL's jsonb cannot hold U+0000: such metadata would fail the whole batch, so the record is reported instead.
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;
/** Whether PostgreSQL's jsonb can hold this canonical JSON text. */
const fitsJsonb = (text: string) => !text.includes("\\u0000") || !NUL_ESCAPE.test(text);
/**
 * A JSON object, passed on as parsed: z.record would copy it key by key, and a "__proto__" key
 * (valid data in Clerk's metadata) would be lost on the copy.
 */
const jsonObject = z.custom<Record<string, unknown>>((v) => v !== null && typeof v === "object" && !Array.isArray(v), "expected a JSON object");
const metadata = jsonObject
  .nullable()
  .optional()
  .transform((v) => canonicalJson(v ?? {}))
  .refine(fitsJsonb, "contains U+0000, which PostgreSQL jsonb cannot store");

export interface MapOptions {
  /** Mirror private metadata (CLERK_RESYNC_MIRROR_PRIVATE_METADATA); otherwise it is never read and stays null. */
  privateMetadata: boolean;
  /** The app's mapping: which fields it keeps beyond clerk-resync's own (unsafe metadata, values picked out of metadata). */
  mirror?: Mirror;
  /** false: every record through zod alone, the reference the fast path is tested against. */
  fastPath?: boolean;
}

/** A field not kept: never read, null whether Clerk sent it or not. */
const absent = z.unknown().optional().transform((): string | null => null);

// The fast path: most records are well formed, and checking a field by hand costs a fraction of
// running zod over it. Each check below accepts only values its zod schema accepts, and a record
// any check refuses goes through zod, which decides and words the error: both paths give one row.
const USER_ID = /^user_\w+$/;
const ORGANIZATION_ID = /^org_\w+$/;
const MEMBERSHIP_ID = /^orgmem_\w+$/;
/** A value `nullableText` accepts. */
const isNullableText = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === "string";
/** A value `epochMs` accepts. */
const isEpochMs = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** `metadata`'s output, or undefined where it would refuse the value. */
function metadataText(v: unknown): string | undefined {
  if (v === undefined || v === null) return "{}";
  if (!isObject(v)) return undefined;
  const text = canonicalJson(v);
  return fitsJsonb(text) ? text : undefined;
}
type Item = { id?: string | null } & Record<string, unknown>;

/** The user's primary email and phone: where each lives in Clerk's user, and how a refusal names it. */
const PRIMARY = {
  email: { idField: "primaryEmailAddressId", listField: "emailAddresses", key: "emailAddress", valid: (v: string) => v.includes("@"), what: "email addresses", kind: "an email address" },
  phone: { idField: "primaryPhoneNumberId", listField: "phoneNumbers", key: "phoneNumber", valid: (v: string) => v.length > 0, what: "phone numbers", kind: "a phone number" },
} as const;
type Primary = (typeof PRIMARY)[keyof typeof PRIMARY];

/**
 * A list of email addresses or phone numbers as the user schema accepts it: each item an object
 * whose id is text or absent, and which has the value's key (zod requires it, whatever it holds).
 */
function isItemList(v: unknown, p: Primary): v is Item[] {
  if (!Array.isArray(v)) return false;
  for (const x of v as unknown[]) if (!isObject(x) || !(x.id === undefined || x.id === null || typeof x.id === "string") || !(p.key in x)) return false;
  return true;
}

/** Whether every item is text (a loop: a callback per record is garbage the listing's collections copy). */
function isTextList(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (const x of v as unknown[]) if (typeof x !== "string") return false;
  return true;
}

/**
 * The value of the primary item: null when there is none; the item's index (-1 when no item has
 * that id) when it is dangling or its value is malformed.
 */
function primaryOf(id: string | null, items: readonly Item[], p: Primary): string | null | number {
  if (!id) return null;
  const index = items.findIndex((x) => x.id === id);
  if (index < 0) return -1;
  const value = items[index]![p.key];
  return typeof value === "string" && p.valid(value) ? value : index;
}

/** zod's issue for a primary item that is dangling (`at` -1) or malformed. */
const primaryIssue = (p: Primary, id: string | null, at: number) =>
  at < 0 ? { code: "custom" as const, path: [p.idField], message: `${id} matches none of the user's ${p.what}` } : { code: "custom" as const, path: [p.listField, at, p.key], message: `is not ${p.kind}` };

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

/** Per entity: the zod schema (the reference, and the words of every refusal) behind a fast path for well-formed records. */
function parsersFor(options: MapOptions) {
  // Values a large listing repeats over many rows (roles, permission lists, metadata, the
  // organization ids of memberships) are kept once: created rows stay in the plan to the end.
  const pool = createValuePool();
  /**
   * Metadata texts, shared as texts: their many distinct values never crowd out roles. Only short
   * ones: those repeat ({"plan":"pro"}), while hashing a long one costs more than it would save.
   */
  const shared = <S extends string | null>(s: S): S => (s === null || s.length > SHARED_TEXT_MAX ? s : (pool.text(s, itself) as S));
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
      const email = primaryOf(u.primaryEmailAddressId, u.emailAddresses, PRIMARY.email);
      const phone = primaryOf(u.primaryPhoneNumberId, u.phoneNumbers, PRIMARY.phone);
      if (typeof email === "number") ctx.addIssue(primaryIssue(PRIMARY.email, u.primaryEmailAddressId, email));
      if (typeof phone === "number") ctx.addIssue(primaryIssue(PRIMARY.phone, u.primaryPhoneNumberId, phone));
      if (typeof email === "number" || typeof phone === "number") return z.NEVER;
      return userRow(u, email, phone);
    });

  /** The row of a user whose fields are valid, as its primary email and phone resolved. */
  const userRow = (u: Omit<UserRow, "email" | "phoneNumber">, email: string | null, phone: string | null): UserRow => {
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
    if (keepsUnsafe) row.unsafeMetadata = shared(u.unsafeMetadata ?? null);
    return pickUser(row);
  };

  /** The user schema's row by hand, or undefined where zod must judge. */
  const fastUser = (w: unknown): UserRow | undefined => {
    if (!isObject(w)) return undefined;
    const u = w as Partial<Record<keyof ClerkUser, unknown>>;
    if (typeof u.id !== "string" || !USER_ID.test(u.id)) return undefined;
    const { externalId, firstName, lastName, username, imageUrl, primaryEmailAddressId, primaryPhoneNumberId, emailAddresses, lastSignInAt, createdAt, updatedAt } = u;
    if (!isNullableText(externalId) || !isNullableText(firstName) || !isNullableText(lastName) || !isNullableText(username) || !isNullableText(imageUrl)) return undefined;
    if (!isNullableText(primaryEmailAddressId) || !isNullableText(primaryPhoneNumberId)) return undefined;
    // Optional, not nullable: null is zod's to refuse.
    const phoneNumbers = u.phoneNumbers === undefined ? [] : u.phoneNumbers;
    if (!isItemList(emailAddresses, PRIMARY.email) || !isItemList(phoneNumbers, PRIMARY.phone)) return undefined;
    const banned = u.banned === undefined ? false : u.banned;
    const locked = u.locked === undefined ? false : u.locked;
    if (typeof banned !== "boolean" || typeof locked !== "boolean") return undefined;
    if (!(lastSignInAt === undefined || lastSignInAt === null || isEpochMs(lastSignInAt)) || !isEpochMs(createdAt) || !isEpochMs(updatedAt)) return undefined;
    const publicMetadata = metadataText(u.publicMetadata);
    const privateMetadata = options.privateMetadata ? metadataText(u.privateMetadata) : null;
    const unsafeMetadata = keepsUnsafe ? metadataText(u.unsafeMetadata) : null;
    if (publicMetadata === undefined || privateMetadata === undefined || unsafeMetadata === undefined) return undefined;
    const email = primaryOf(primaryEmailAddressId ?? null, emailAddresses, PRIMARY.email);
    const phone = primaryOf(primaryPhoneNumberId ?? null, phoneNumbers, PRIMARY.phone);
    if (typeof email === "number" || typeof phone === "number") return undefined;
    const fields = {
      id: u.id,
      firstName: firstName ?? null,
      lastName: lastName ?? null,
      username: username ?? null,
      imageUrl: imageUrl ?? null,
      externalId: externalId ?? null,
      publicMetadata,
      privateMetadata,
      unsafeMetadata,
      banned,
      locked,
      lastSignInAt: lastSignInAt ?? null,
      createdAt,
      updatedAt,
    };
    return userRow(fields, email, phone);
  };

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
  /** The organization schema's row by hand, or undefined where zod must judge. */
  const fastOrganization = (w: unknown): OrganizationRow | undefined => {
    if (!isObject(w)) return undefined;
    const o = w as Partial<Record<keyof ClerkOrganization, unknown>>;
    const { id, name, slug, imageUrl, createdBy, createdAt, updatedAt } = o;
    if (typeof id !== "string" || !ORGANIZATION_ID.test(id) || typeof name !== "string" || name.length < 1) return undefined;
    if (!isNullableText(slug) || !isNullableText(imageUrl) || !isNullableText(createdBy) || !isEpochMs(createdAt) || !isEpochMs(updatedAt)) return undefined;
    const maxAllowedMemberships = o.maxAllowedMemberships === undefined ? 0 : o.maxAllowedMemberships;
    if (typeof maxAllowedMemberships !== "number" || !Number.isSafeInteger(maxAllowedMemberships) || maxAllowedMemberships < 0) return undefined;
    const publicMetadata = metadataText(o.publicMetadata);
    const privateMetadata = options.privateMetadata ? metadataText(o.privateMetadata) : null;
    if (publicMetadata === undefined || privateMetadata === undefined) return undefined;
    const row: OrganizationRow = { id, name, slug: slug ?? null, imageUrl: imageUrl ?? null, publicMetadata, privateMetadata, maxAllowedMemberships, createdBy: createdBy ?? null, createdAt, updatedAt };
    return pickOrganization ? pickOrganization(row) : row;
  };

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
    .transform((m) => membershipRow(m, m.organization.id, m.publicUserData.userId));
  /** The row of a membership whose fields are valid. */
  const membershipRow = (
    m: Pick<MembershipRow, "id" | "role" | "publicMetadata" | "privateMetadata" | "createdAt" | "updatedAt"> & { permissions: string[] },
    organizationId: string,
    userId: string,
  ): MembershipRow =>
    pickMembership({
      id: m.id,
      organizationId: organizationIds.string(organizationId),
      userId,
      role: pool.string(m.role),
      permissions: pool.listOf(m.permissions),
      publicMetadata: shared(m.publicMetadata),
      privateMetadata: shared(m.privateMetadata),
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    });
  /** The membership schema's row by hand, or undefined where zod must judge. */
  const fastMembership = (w: unknown): MembershipRow | undefined => {
    if (!isObject(w)) return undefined;
    const m = w as Partial<Record<keyof ClerkMembership, unknown>>;
    const { id, role, organization, publicUserData, createdAt, updatedAt } = m;
    if (typeof id !== "string" || !MEMBERSHIP_ID.test(id) || typeof role !== "string" || role.length < 1 || !isEpochMs(createdAt) || !isEpochMs(updatedAt)) return undefined;
    if (!isObject(organization) || typeof organization.id !== "string" || !ORGANIZATION_ID.test(organization.id)) return undefined;
    if (!isObject(publicUserData) || typeof publicUserData.userId !== "string" || !USER_ID.test(publicUserData.userId)) return undefined;
    const permissions = m.permissions ?? [];
    if (!isTextList(permissions)) return undefined;
    const publicMetadata = metadataText(m.publicMetadata);
    const privateMetadata = options.privateMetadata ? metadataText(m.privateMetadata) : null;
    if (publicMetadata === undefined || privateMetadata === undefined) return undefined;
    return membershipRow({ id, role, permissions, publicMetadata, privateMetadata, createdAt, updatedAt }, organization.id, publicUserData.userId);
  };
  const none = () => undefined;
  const fast = options.fastPath !== false;
  return {
    user: parser(user, fast ? fastUser : none),
    organization: parser(organization as z.ZodType<OrganizationRow>, fast ? fastOrganization : none),
    membership: parser(membership, fast ? fastMembership : none),
  };
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "record"} ${i.message}`).join("; ");
}

/** Why a record has no row. */
class Refused {
  constructor(readonly reason: string) {}
}
type Parser<R> = (item: unknown) => R | Refused;

/** The fast path first; zod for whatever it leaves (which zod maps or refuses, with the reason). */
function parser<R>(schema: z.ZodType<R>, fast: (item: unknown) => R | undefined): Parser<R> {
  return (item) => {
    const row = fast(item);
    if (row !== undefined) return row;
    const parsed = schema.safeParse(item);
    return parsed.success ? parsed.data : new Refused(describe(parsed.error));
  };
}

/** Where mapped rows go, page by page (the planner). */
export interface RowSink {
  users(rows: readonly UserRow[]): void;
  organizations(rows: readonly OrganizationRow[]): void;
  memberships(rows: readonly MembershipRow[]): void;
}

function mapPage<In, Out>(entity: InvalidRecord["entity"], items: readonly In[], parse: Parser<Out>, refused: Set<string>, invalid: InvalidRecord[]): Out[] {
  const rows: Out[] = [];
  for (const item of items) {
    const parsed = parse(item);
    if (!(parsed instanceof Refused)) {
      rows.push(parsed);
      continue;
    }
    const id = String((item as { id?: unknown })?.id ?? "?");
    refused.add(id);
    invalid.push({ entity, id, reason: parsed.reason });
  }
  return rows;
}

/**
 * Maps pages as they arrive and hands the rows on, so no listing is ever held whole as SDK
 * objects. Pure: no IO, no clock. `refused` collects the ids of the records it could not map:
 * with the ids the planner placed, they are every id Clerk listed (see SyncPlanner.present).
 */
export function createSnapshotMapper(sink: RowSink, options: MapOptions = { privateMetadata: false }) {
  const schemas = parsersFor(options);
  const invalid: InvalidRecord[] = [];
  const refused = { users: new Set<string>(), organizations: new Set<string>(), memberships: new Set<string>() };
  return {
    users: (page: readonly ClerkUser[]) => sink.users(mapPage("user", page, schemas.user, refused.users, invalid)),
    organizations: (page: readonly ClerkOrganization[]) => sink.organizations(mapPage("organization", page, schemas.organization, refused.organizations, invalid)),
    memberships: (page: readonly ClerkMembership[]) => sink.memberships(mapPage("membership", page, schemas.membership, refused.memberships, invalid)),
    refused,
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

/** Maps single records (a webhook's `data`) through the same parsers as a listing: one mapping for both paths. */
export function createRecordMapper(options: MapOptions = { privateMetadata: false }) {
  const parsers = parsersFor(options);
  return <E extends InvalidRecord["entity"]>(entity: E, item: unknown): { row: RowOf[E] } | { invalid: InvalidRecord } => {
    const parsed = (parsers[entity] as Parser<RowOf[E]>)(item);
    if (parsed instanceof Refused) return { invalid: { entity, id: String((item as { id?: unknown })?.id ?? "?"), reason: parsed.reason } };
    return { row: parsed };
  };
}

/** One record (a webhook's `data`). */
export function mapRecord<E extends InvalidRecord["entity"]>(entity: E, item: unknown, options: MapOptions = { privateMetadata: false }): { row: RowOf[E] } | { invalid: InvalidRecord } {
  return createRecordMapper(options)(entity, item);
}

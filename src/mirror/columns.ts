// The column registry: for each mirrored entity, every column a Clerk write path owns, defined
// once — the row field it holds (map's output, the plan's comparison), the column, its SQL type,
// and whether the plan compares it or it records provenance. The writes, the local read, the
// plan's field lists and the sidecar's "mirrored" columns are all derived from a Mirror. Every
// other column of these tables is the app's own: the sidecar keeps it, no Clerk write touches it.
import type { MembershipRow, OrganizationRow, UserRow } from "./rows.ts";

export type SqlType = "text" | "jsonb" | "boolean" | "timestamptz" | "int4" | "text[]";

export interface ColumnSpec<F extends string = string> {
  /** The row's field (the mapped Clerk value). */
  field: F;
  column: string;
  type: SqlType;
  /**
   * The column holds the parent's app-owned primary key, not its Clerk id (a membership's user
   * column pointing at an Int `User.id`): resolved through the parent's Clerk-id column.
   */
  refers?: "users" | "organizations";
  /**
   * The column holds one value out of a metadata field (`field` is "publicMetadata.plan"): written
   * cast to the column's own type, compared as JSON.
   */
  pick?: { from: MetadataField; path: readonly string[] };
}

/** Clerk's metadata fields, out of which an app may pick single values. */
export const METADATA_FIELDS = ["publicMetadata", "privateMetadata", "unsafeMetadata"] as const;
export type MetadataField = (typeof METADATA_FIELDS)[number];

/** A primary key the app owns, beside the Clerk-id column. */
export interface AppKey {
  column: string;
  /**
   * How a new row gets one when the column has no database default (Prisma's `@default(cuid())`
   * and `@default(uuid())` are made by Prisma Client, not by the database).
   */
  generate?: "cuid" | "uuid";
}

export interface EntitySpec<R> {
  table: string;
  /** The Clerk id's column: the primary key, or a unique column beside the app's own key. */
  id: ColumnSpec<"id">;
  /** The app's own primary key, when the Clerk id is not it. */
  primaryKey?: AppKey;
  /** Compared by the plan and written by every Clerk write path: the fields the app maps. */
  compared: readonly ColumnSpec<Exclude<keyof R & string, "id">>[];
}

/** Where each of Clerk's three entities lives in the app's database. */
export interface Mirror {
  users: EntitySpec<UserRow>;
  organizations: EntitySpec<OrganizationRow>;
  memberships: EntitySpec<MembershipRow>;
}

export type EntityName = keyof Mirror;

const col = <F extends string>(field: F, type: SqlType): ColumnSpec<F> => ({ field, column: field, type });
const ID = col("id", "text");

export const USER = {
  table: "User",
  id: ID,
  compared: [
    col("email", "text"), col("phoneNumber", "text"), col("firstName", "text"), col("lastName", "text"), col("username", "text"),
    col("imageUrl", "text"), col("externalId", "text"), col("publicMetadata", "jsonb"), col("privateMetadata", "jsonb"),
    col("banned", "boolean"), col("locked", "boolean"), col("lastSignInAt", "timestamptz"), col("createdAt", "timestamptz"), col("updatedAt", "timestamptz"),
  ],
} as const satisfies EntitySpec<UserRow>;

export const ORGANIZATION = {
  table: "Organization",
  id: ID,
  compared: [
    col("name", "text"), col("slug", "text"), col("imageUrl", "text"), col("publicMetadata", "jsonb"), col("privateMetadata", "jsonb"),
    col("maxAllowedMemberships", "int4"), col("createdBy", "text"), col("createdAt", "timestamptz"), col("updatedAt", "timestamptz"),
  ],
} as const satisfies EntitySpec<OrganizationRow>;

export const MEMBERSHIP = {
  table: "OrganizationMembership",
  id: ID,
  compared: [
    col("organizationId", "text"), col("userId", "text"), col("role", "text"), col("permissions", "text[]"),
    col("publicMetadata", "jsonb"), col("privateMetadata", "jsonb"), col("createdAt", "timestamptz"), col("updatedAt", "timestamptz"),
  ],
} as const satisfies EntitySpec<MembershipRow>;

/** Fields an app may map that clerk-resync's own schema has no column for. */
export const UNMAPPED_BY_DEFAULT: Readonly<Record<EntityName, readonly ColumnSpec[]>> = {
  users: [col("unsafeMetadata", "jsonb")],
  organizations: [],
  memberships: [],
};

/** Today's schema (prisma/schema.prisma): Clerk ids as primary keys, every field mapped. */
export const DEFAULT_MIRROR: Mirror = { users: USER, organizations: ORGANIZATION, memberships: MEMBERSHIP };

/**
 * Written by every Clerk write path besides Clerk's fields: Clerk's updated_at of the copy written,
 * which path wrote it, and when (see freshness.ts).
 */
export const PROVENANCE: readonly ColumnSpec[] = [col("clerkUpdatedAt", "timestamptz"), col("syncSource", "text"), col("syncedAt", "timestamptz")];

/** Clerk's three entities, parents first: the order their tables are restored in. */
export const ENTITIES = ["organizations", "users", "memberships"] as const satisfies readonly EntityName[];

/** Which entity a table holds under this mirror, if any. */
export const entityOfTable = (mirror: Mirror, table: string): EntityName | undefined => ENTITIES.find((e) => mirror[e].table === table);

/** Clerk ids per entity (what a resync or a webhook is about to delete). */
export type IdsByEntity = Readonly<Record<EntityName, readonly string[]>>;

/** Every column a Clerk write path owns in this table: the Clerk id, the compared fields, the provenance. */
export function ownedColumns<R>(spec: EntitySpec<R>): string[] {
  return [spec.id, ...spec.compared, ...PROVENANCE].map((c) => c.column);
}

/** The fields the plan compares (all but the id; writes set exactly these). */
export const comparedFields = <R>(spec: EntitySpec<R>) => spec.compared.map((c) => c.field);
export const USER_FIELDS = comparedFields(USER);
export const ORGANIZATION_FIELDS = comparedFields(ORGANIZATION);
export const MEMBERSHIP_FIELDS = comparedFields(MEMBERSHIP);

/** Whether the app keeps a field, whole or in picked values (what the map stage reads). */
export const keepsField = <R>(spec: EntitySpec<R>, field: string): boolean => spec.compared.some((c) => c.field === field || c.pick?.from === field);

/** The column of a field, if the app maps it. */
export const columnOf = <R>(spec: EntitySpec<R>, field: keyof R & string): ColumnSpec | undefined =>
  field === "id" ? spec.id : spec.compared.find((c) => c.field === field);

/** Fields holding epoch ms (shown as ISO times to people). */
export const TIME_FIELDS: ReadonlySet<string> = new Set(
  [USER, ORGANIZATION, MEMBERSHIP].flatMap((s) => [...s.compared, ...PROVENANCE]).flatMap((c) => (c.type === "timestamptz" ? [c.field] : [])),
);

/** A quoted SQL identifier. */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * SQL: what `column` (by default the key a child's foreign key holds) is for the records whose
 * Clerk ids are in `ids` (a text[] expression): the ids themselves when it is the Clerk-id column.
 */
export function keysOfClerkIds(spec: EntitySpec<never>, ids: string, column = spec.primaryKey?.column ?? spec.id.column): string {
  if (column === spec.id.column) return `SELECT unnest(${ids})`;
  return `SELECT p.${ident(column)} FROM ${ident(spec.table)} p WHERE p.${ident(spec.id.column)} = ANY(${ids})`;
}

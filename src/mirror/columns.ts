// The column registry: for each mirrored entity, every column a Clerk write path owns, defined
// once — the row field it holds (map's output, the plan's comparison), the column, its SQL type,
// and whether the plan compares it or it records provenance. The writes, the local read, the
// plan's field lists and the sidecar's "mirrored" columns are all derived from here. Every other
// column of these tables is the app's own: the sidecar keeps it, no Clerk write touches it.
import type { MembershipRow, OrganizationRow, UserRow } from "./rows.ts";

export type SqlType = "text" | "jsonb" | "boolean" | "timestamptz" | "int4" | "text[]";

export interface ColumnSpec<F extends string = string> {
  /** The row's field (the mapped Clerk value). */
  field: F;
  column: string;
  type: SqlType;
}

export type MirroredTable = "User" | "Organization" | "OrganizationMembership";

export interface EntitySpec<R> {
  table: MirroredTable;
  /** The Clerk id: the primary key. */
  id: ColumnSpec<"id">;
  /** Compared by the plan and written by every Clerk write path. */
  compared: readonly ColumnSpec<Exclude<keyof R & string, "id">>[];
}

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

/**
 * Written by every Clerk write path besides Clerk's fields: Clerk's updated_at of the copy written,
 * which path wrote it, and when (see freshness.ts).
 */
export const PROVENANCE: readonly ColumnSpec[] = [col("clerkUpdatedAt", "timestamptz"), col("syncSource", "text"), col("syncedAt", "timestamptz")];

export const ENTITIES = { users: USER, organizations: ORGANIZATION, memberships: MEMBERSHIP } as const;
export type EntityName = keyof typeof ENTITIES;

export const MIRRORED_TABLES = [USER.table, ORGANIZATION.table, MEMBERSHIP.table] as const;

/** Every column a Clerk write path owns, per table: the id, the compared fields, the provenance. */
export const MIRRORED_COLUMNS: Readonly<Record<MirroredTable, readonly string[]>> = {
  User: columnsOf(USER),
  Organization: columnsOf(ORGANIZATION),
  OrganizationMembership: columnsOf(MEMBERSHIP),
};

function columnsOf<R>(spec: EntitySpec<R>): string[] {
  return [spec.id, ...spec.compared, ...PROVENANCE].map((c) => c.column);
}

/** The fields the plan compares (all but the id; writes set exactly these). */
const comparedFields = <R>(spec: EntitySpec<R>) => spec.compared.map((c) => c.field);
export const USER_FIELDS = comparedFields(USER);
export const ORGANIZATION_FIELDS = comparedFields(ORGANIZATION);
export const MEMBERSHIP_FIELDS = comparedFields(MEMBERSHIP);

/** Fields holding epoch ms (shown as ISO times to people). */
export const TIME_FIELDS: ReadonlySet<string> = new Set(
  [USER, ORGANIZATION, MEMBERSHIP].flatMap((s) => [...s.compared, ...PROVENANCE]).flatMap((c) => (c.type === "timestamptz" ? [c.field] : [])),
);

export const isMirroredTable = (table: string): table is MirroredTable => (MIRRORED_TABLES as readonly string[]).includes(table);

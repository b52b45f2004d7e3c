// `clerk-resync/config`: what an app's clerk-resync.config.ts imports. Types and an identity
// function only, so loading the config costs nothing beyond the file itself.

/** How the app classifies a table that is neither Clerk's nor owned by a user or organization. */
export type TableClass = "seeded" | "keep" | "disposable";

/** A Clerk field the mirror can keep (the row fields of src/mirror/rows.ts). */
export type UserField = "email" | "phoneNumber" | "firstName" | "lastName" | "username" | "imageUrl" | "externalId" | "publicMetadata" | "privateMetadata" | "unsafeMetadata" | "banned" | "locked" | "lastSignInAt" | "createdAt" | "updatedAt" | Picked<"publicMetadata" | "privateMetadata" | "unsafeMetadata">;
export type OrganizationField = "name" | "slug" | "imageUrl" | "publicMetadata" | "privateMetadata" | "maxAllowedMemberships" | "createdBy" | "createdAt" | "updatedAt" | Picked<"publicMetadata" | "privateMetadata">;
export type MembershipField = "organizationId" | "userId" | "role" | "permissions" | "publicMetadata" | "privateMetadata" | "createdAt" | "updatedAt" | Picked<"publicMetadata" | "privateMetadata">;
/**
 * One value out of a metadata field, into a column of its own: `"publicMetadata.plan": "plan"`
 * (nested keys joined by dots). Written cast to the column's type; absent or null is NULL.
 */
export type Picked<M extends string> = `${M}.${string}`;

/**
 * Where one of Clerk's entities lives: its table (the database name, as in @@map), the column that
 * holds the Clerk id, the app's own primary key beside it (if the Clerk id is not the key), and
 * the column of each Clerk field kept. With `fields`, only the fields named are written.
 */
export interface EntityMapping<F extends string> {
  table?: string;
  clerkId?: string;
  /** The app's primary key; `generate` when the database has no default for it (Prisma's cuid()/uuid()). */
  primaryKey?: string | { column: string; generate?: "cuid" | "uuid" };
  fields?: Partial<Record<F, string>>;
}

/**
 * A membership's `userId` and `organizationId` columns hold the parent's primary key: its Clerk
 * id, or the app's own key where the parent has one (resolved through its Clerk-id column).
 */
export interface MirrorMapping {
  users?: EntityMapping<UserField>;
  organizations?: EntityMapping<OrganizationField>;
  memberships?: EntityMapping<MembershipField>;
}

export interface ClerkResyncConfig {
  /** Where Clerk's users, organizations and memberships live in the app's database (default: clerk-resync's own schema). */
  mirror?: MirrorMapping;
  /**
   * Tables a reset cannot place on its own. "seeded": the seed recreates it; "keep": backed up and
   * restored whole; "disposable": may be lost. Tables owned by a user or organization (a foreign
   * key leads to one) need no entry.
   */
  tables?: Record<string, TableClass>;
}

/** Types the app's configuration: `export default defineConfig({ tables: { McpServer: "seeded" } })`. */
export function defineConfig(config: ClerkResyncConfig): ClerkResyncConfig {
  return config;
}

// The database's view of Clerk data: what map produces, what plan compares, what apply writes.
// Timestamps are epoch ms, as Clerk sends them, so comparisons are exact integers. Metadata is
// canonical JSON text (keys sorted, see json-text.ts), so equal metadata compares equal as a
// string whatever the key order Clerk or jsonb used.

/** JSON text in canonical form (canonicalJson). */
export type JsonText = string;

/**
 * Values an app picks out of metadata into columns of their own (a mapping's
 * `"publicMetadata.plan": "plan"`), under that name: canonical JSON text, null when absent.
 */
export interface Picked {
  [field: `${string}.${string}`]: JsonText | null;
}

export interface UserRow extends Picked {
  id: string;
  email: string | null;
  phoneNumber: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  imageUrl: string | null;
  externalId: string | null;
  publicMetadata: JsonText;
  /** Null unless private metadata is mirrored (opt-in). */
  privateMetadata: JsonText | null;
  /** Null unless the app maps it (clerk-resync's own schema has no column for it). */
  unsafeMetadata?: JsonText | null;
  banned: boolean;
  locked: boolean;
  lastSignInAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface OrganizationRow extends Picked {
  id: string;
  name: string;
  slug: string | null;
  imageUrl: string | null;
  publicMetadata: JsonText;
  privateMetadata: JsonText | null;
  maxAllowedMemberships: number;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface MembershipRow extends Picked {
  id: string;
  organizationId: string;
  userId: string;
  role: string;
  permissions: readonly string[];
  publicMetadata: JsonText;
  privateMetadata: JsonText | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * Where the database's copy of a row came from, kept apart from the mirrored fields so a local
 * edit cannot fake it: Clerk's updated_at of the copy a Clerk write path wrote (null when none
 * did: a row the app or a person inserted, or one written before provenance was recorded), and
 * which path wrote it.
 */
export interface Provenance {
  clerkUpdatedAt: number | null;
  syncSource: string | null;
}

export type Local<R> = R & Provenance;

/** A Clerk record that could not be turned into a row: reported, never written half-way. */
export interface InvalidRecord {
  entity: "user" | "organization" | "membership";
  id: string;
  reason: string;
}

export interface MappedSnapshot {
  users: UserRow[];
  organizations: OrganizationRow[];
  memberships: MembershipRow[];
  invalid: InvalidRecord[];
}

export interface LocalState {
  users: Local<UserRow>[];
  organizations: Local<OrganizationRow>[];
  memberships: Local<MembershipRow>[];
}

/** The database's side as a resync holds it: ids of users and organizations (their rows read page by page), memberships whole. */
export interface LocalIndex {
  users: string[];
  organizations: string[];
  memberships: Local<MembershipRow>[];
}

/** Each entity's row, by the entity's name. */
export interface EntityRow {
  users: UserRow;
  organizations: OrganizationRow;
  memberships: MembershipRow;
}

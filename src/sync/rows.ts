// The database's view of Clerk data: what map produces, what plan compares, what apply writes.
// Timestamps are epoch ms, as Clerk sends them, so comparisons are exact integers.

export interface UserRow {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  imageUrl: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface OrganizationRow {
  id: string;
  name: string;
  slug: string | null;
  imageUrl: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface MembershipRow {
  id: string;
  organizationId: string;
  userId: string;
  role: string;
  createdAt: number;
  updatedAt: number;
}

export const USER_FIELDS = ["email", "firstName", "lastName", "username", "imageUrl", "createdAt", "updatedAt"] as const satisfies readonly (keyof UserRow)[];
export const ORGANIZATION_FIELDS = ["name", "slug", "imageUrl", "createdAt", "updatedAt"] as const satisfies readonly (keyof OrganizationRow)[];
export const MEMBERSHIP_FIELDS = ["organizationId", "userId", "role", "createdAt", "updatedAt"] as const satisfies readonly (keyof MembershipRow)[];

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
  users: UserRow[];
  organizations: OrganizationRow[];
  memberships: MembershipRow[];
}

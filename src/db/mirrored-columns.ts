// The columns a resync (and any other Clerk write path) owns on the mirrored tables. Every other
// column of these tables is the app's own data: the sidecar backs it up by Clerk id and restores
// it after a reset, and no Clerk write ever touches it. Keep this the one list.

export const MIRRORED_TABLES = ["User", "Organization", "OrganizationMembership"] as const;
export type MirroredTable = (typeof MIRRORED_TABLES)[number];

export const MIRRORED_COLUMNS: Readonly<Record<MirroredTable, readonly string[]>> = {
  User: ["id", "email", "firstName", "lastName", "username", "imageUrl", "createdAt", "updatedAt", "syncedAt"],
  Organization: ["id", "name", "slug", "imageUrl", "createdAt", "updatedAt", "syncedAt"],
  OrganizationMembership: ["id", "organizationId", "userId", "role", "createdAt", "updatedAt", "syncedAt"],
};

export const isMirroredTable = (table: string): table is MirroredTable => (MIRRORED_TABLES as readonly string[]).includes(table);

// The columns a resync (and any other Clerk write path) owns on the mirrored tables. Every other
// column of these tables is the app's own data: the sidecar backs it up by Clerk id and restores
// it after a reset, and no Clerk write ever touches it. Keep this the one list: sync-writes.ts
// writes exactly these (a test checks it against the database).

export const MIRRORED_TABLES = ["User", "Organization", "OrganizationMembership"] as const;
export type MirroredTable = (typeof MIRRORED_TABLES)[number];

/** Written by every Clerk write path besides Clerk's fields: where the copy came from, and when. */
const PROVENANCE = ["clerkUpdatedAt", "syncSource", "syncedAt"];

export const MIRRORED_COLUMNS: Readonly<Record<MirroredTable, readonly string[]>> = {
  User: [
    "id", "email", "phoneNumber", "firstName", "lastName", "username", "imageUrl", "externalId",
    "publicMetadata", "privateMetadata", "banned", "locked", "lastSignInAt", "createdAt", "updatedAt", ...PROVENANCE,
  ],
  Organization: ["id", "name", "slug", "imageUrl", "publicMetadata", "privateMetadata", "maxAllowedMemberships", "createdBy", "createdAt", "updatedAt", ...PROVENANCE],
  OrganizationMembership: ["id", "organizationId", "userId", "role", "permissions", "publicMetadata", "privateMetadata", "createdAt", "updatedAt", ...PROVENANCE],
};

export const isMirroredTable = (table: string): table is MirroredTable => (MIRRORED_TABLES as readonly string[]).includes(table);

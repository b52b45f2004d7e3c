// Written by `clerk-resync init` from prisma/schema.prisma, then reviewed: the guesses were right,
// so only these comments changed. `clerk-resync resync --dry-run` shows what maps where.
import { defineConfig } from "clerk-resync/config";

// Guessed:
//   User.clerkId holds the Clerk user id; User.id (Int, autoincrement) is the app's own key.
//   Team.clerkOrgId holds the Clerk organization id; Team.id (cuid) is the app's own key:
//   clerk-resync makes a cuid for each new row, as Prisma Client would.
//   TeamMember.clerkMembershipId holds the Clerk membership id; its userId and teamId hold
//   User.id and Team.id, resolved through their Clerk ids.

// Rows that belong to a user or an organization (a reset keeps them, ids included):
//   Post belongs to a user (authorId → User).
//   Note.orgId holds a Clerk organization id with no foreign key: the whole table is kept through a reset (`tables` below).

export default defineConfig({
  mirror: {
    users: {
      table: "users",
      clerkId: "clerkId",
      primaryKey: "id",
      fields: {
        email: "email",
        firstName: "first_name",
        lastName: "last_name",
        publicMetadata: "meta",
        createdAt: "created_at",
        updatedAt: "updated_at",
      },
    },
    organizations: {
      table: "Team",
      clerkId: "clerkOrgId",
      primaryKey: { column: "id", generate: "cuid" },
      fields: { name: "name", slug: "slug", createdAt: "createdAt", updatedAt: "updatedAt" },
    },
    memberships: {
      table: "TeamMember",
      clerkId: "clerkMembershipId",
      primaryKey: "id",
      fields: { userId: "userId", organizationId: "teamId", role: "role", createdAt: "createdAt", updatedAt: "updatedAt" },
    },
  },
  tables: { Note: "keep" },
});

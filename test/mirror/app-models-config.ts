// The clerk-resync.config.ts of the app in test/fixtures/init/int-and-cuid-keys.prisma: what
// `init` writes for it (test/init asserts so), and what test/mirror/app-models resyncs with.
import type { ClerkResyncConfig } from "../../src/define-config.ts";

export const APP_MODELS_CONFIG = {
  mirror: {
    users: { table: "users", clerkId: "clerkId", primaryKey: "id", fields: { email: "email", firstName: "first_name", lastName: "last_name", publicMetadata: "meta", createdAt: "created_at", updatedAt: "updated_at" } },
    organizations: { table: "Team", clerkId: "clerkOrgId", primaryKey: { column: "id", generate: "cuid" }, fields: { name: "name", slug: "slug", createdAt: "createdAt", updatedAt: "updatedAt" } },
    memberships: { table: "TeamMember", clerkId: "clerkMembershipId", primaryKey: "id", fields: { userId: "userId", organizationId: "teamId", role: "role", createdAt: "createdAt", updatedAt: "updatedAt" } },
  },
  // Notes hold a Clerk org id with no foreign key: a reset keeps the whole table.
  tables: { Note: "keep" },
} satisfies ClerkResyncConfig;

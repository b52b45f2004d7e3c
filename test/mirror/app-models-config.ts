// The clerk-resync.config.ts of examples/next-app: what `init` writes for its schema (test/init
// asserts so, and that the example's reviewed file says the same), and what test/mirror resyncs with.
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

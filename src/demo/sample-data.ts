// Sample org-local data for `clerk-resync demo` (and the tests that use the same), and whole-table
// dumps to compare a database before and after a reset. On the seed app's schema (examples/seed-app),
// which the demo and the suite run; plain SQL, so the demo needs no generated Prisma client.
import type { Database } from "../db/database.ts";

/** Everything a reset must give back, as comparable text: whole tables, not counts. */
export async function tableDump(db: Database): Promise<Record<string, unknown[]>> {
  const q = async (sql: string) => (await db.pool.query(sql)).rows;
  return {
    users: await q(`SELECT id, email, "phoneNumber", "firstName", "lastName", username, "imageUrl", "externalId", "publicMetadata", "privateMetadata", banned, locked, "lastSignInAt", "createdAt", "updatedAt" FROM "User" ORDER BY id`),
    organizations: await q(`SELECT id, name, slug, "imageUrl", "publicMetadata", "privateMetadata", "maxAllowedMemberships", "createdBy", "createdAt", "updatedAt" FROM "Organization" ORDER BY id`),
    memberships: await q(`SELECT id, "organizationId", "userId", role, permissions, "publicMetadata", "privateMetadata", "createdAt", "updatedAt" FROM "OrganizationMembership" ORDER BY id`),
    prompts: await q(`SELECT "organizationId", name, description, content FROM "Prompt" WHERE "organizationId" IS NOT NULL ORDER BY 1, 2`),
    resources: await q(`SELECT "organizationId", uri, name, description, "mimeType", content FROM "Resource" WHERE "organizationId" IS NOT NULL ORDER BY 1, 2`),
    services: await q(`SELECT s."organizationId", m.name, s.enabled, s.config FROM "OrganizationService" s JOIN "McpServer" m ON m.id = s."mcpServerId" ORDER BY 1, 2`),
  };
}

/** Some org-local data for the reset to preserve, as a team would have. */
export async function addOrgLocalData(db: Database): Promise<void> {
  const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
  const orgs = await q(`SELECT id, name, slug FROM "Organization" ORDER BY "createdAt" ASC, id ASC LIMIT 4`);
  const servers = await q(`SELECT id FROM "McpServer" ORDER BY name ASC`);
  for (const [i, org] of orgs.entries()) {
    await q(`INSERT INTO "Prompt" ("organizationId", name, description, content) VALUES ($1, 'summarize', NULL, $2), ($1, $3, 'Custom', $4)`, [
      org.id,
      `Summarize for ${org.name} in three bullet points:\n\n{{input}}`,
      `onboarding-${i}`,
      `Welcome a new member of ${org.name}.`,
    ]);
    await q(`INSERT INTO "Resource" ("organizationId", uri, name, "mimeType", content) VALUES ($1, $2, $3, 'text/markdown', '# Handbook')`, [org.id, `docs://${org.slug}/handbook`, `${org.name} handbook`]);
    for (const server of servers.slice(0, 1 + (i % servers.length))) {
      await q(`INSERT INTO "OrganizationService" ("organizationId", "mcpServerId", config) VALUES ($1, $2, $3)`, [org.id, server.id, JSON.stringify({ workspace: org.slug, limit: 10 * (i + 1) })]);
    }
  }
}

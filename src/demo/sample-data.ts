// Sample org-local data for `pnpm demo` (and the tests that use the same), and whole-table dumps to
// compare a database before and after a reset.
import type { Database } from "../db/database.ts";
import { prismaClient } from "./prisma-client.ts";

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
  const prisma = await prismaClient(db);
  const orgs = await prisma.organization.findMany({ orderBy: { createdAt: "asc" }, take: 4 });
  const servers = await prisma.mcpServer.findMany({ orderBy: { name: "asc" } });
  for (const [i, org] of orgs.entries()) {
    await prisma.prompt.createMany({
      data: [
        { organizationId: org.id, name: "summarize", content: `Summarize for ${org.name} in three bullet points:\n\n{{input}}` },
        { organizationId: org.id, name: `onboarding-${i}`, description: "Custom", content: `Welcome a new member of ${org.name}.` },
      ],
    });
    await prisma.resource.create({ data: { organizationId: org.id, uri: `docs://${org.slug}/handbook`, name: `${org.name} handbook`, mimeType: "text/markdown", content: "# Handbook" } });
    for (const server of servers.slice(0, 1 + (i % servers.length))) {
      await prisma.organizationService.create({ data: { organizationId: org.id, mcpServerId: server.id, config: { workspace: org.slug, limit: 10 * (i + 1) } } });
    }
  }
}


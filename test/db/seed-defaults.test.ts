import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DEFAULT_MCP_SERVERS, DEFAULT_PROMPTS, DEFAULT_RESOURCES, seedDefaults } from "../../examples/seed-app/prisma/seed-defaults.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { prismaClient } from "../support/prisma-client.ts";

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.close();
});

test("seeding twice leaves exactly one copy of each default and keeps org-local rows", async () => {
  const prisma = await prismaClient(t.db);
  await prisma.organization.create({
    data: { id: "org_a", name: "A", createdAt: new Date(), updatedAt: new Date() },
  });
  await prisma.prompt.create({ data: { organizationId: "org_a", name: "summarize", content: "custom" } });

  await seedDefaults(t.db);
  await seedDefaults(t.db);

  assert.equal(await prisma.prompt.count({ where: { organizationId: null } }), DEFAULT_PROMPTS.length);
  assert.equal(await prisma.resource.count({ where: { organizationId: null } }), DEFAULT_RESOURCES.length);
  assert.deepEqual(
    (await prisma.mcpServer.findMany({ orderBy: { name: "asc" } })).map((s) => s.name),
    DEFAULT_MCP_SERVERS.map((s) => s.name).sort(),
  );
  const custom = await prisma.prompt.findMany({ where: { organizationId: "org_a" } });
  assert.deepEqual(custom.map((p) => p.content), ["custom"]);
});

test("--prompts-only seeds prompts and resources but no servers", async () => {
  await (await prismaClient(t.db)).mcpServer.deleteMany();
  const counts = await seedDefaults(t.db, { promptsOnly: true });
  assert.equal(counts.mcpServers, 0);
  assert.equal(await (await prismaClient(t.db)).mcpServer.count(), 0);
  assert.equal(await (await prismaClient(t.db)).prompt.count({ where: { organizationId: null } }), DEFAULT_PROMPTS.length);
});

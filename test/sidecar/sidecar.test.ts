import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { addOrgLocalData, tableDump } from "../../src/db/demo-data.ts";
import { seedDefaults } from "../../src/db/seed-defaults.ts";
import { readSidecarFile, writeSidecarFile } from "../../src/sidecar/files.ts";
import { SidecarFormatError } from "../../src/sidecar/format.ts";
import { readOrgLocalData } from "../../src/sidecar/read-org-local-data.ts";
import { restoreSidecar } from "../../src/sidecar/restore.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { truncateAll } from "../support/sync.ts";

let t: TestDatabase;
const dir = mkdtempSync(path.join(tmpdir(), "clerk-resync-sidecar-"));

before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.close();
});
beforeEach(async () => {
  await truncateAll(t.db.pool);
  await seedDefaults(t.db.prisma);
  const now = new Date("2025-01-01T00:00:00Z");
  for (const i of [1, 2, 3, 4, 5]) await t.db.prisma.organization.create({ data: { id: `org_${i}`, name: `Org ${i}`, slug: `org-${i}`, createdAt: now, updatedAt: now } });
  await addOrgLocalData(t.db);
});

test("backup, wipe org-local rows, restore: same content; a second restore changes nothing", async () => {
  const before = await tableDump(t.db);
  const sidecar = await readOrgLocalData(t.db.prisma, { reason: "backup", clerkInstanceId: "ins_x" });
  const file = writeSidecarFile(sidecar, { dir, latest: true });
  await t.db.pool.query(`DELETE FROM "Prompt" WHERE "organizationId" IS NOT NULL; DELETE FROM "Resource" WHERE "organizationId" IS NOT NULL; DELETE FROM "OrganizationService"`);
  const first = await restoreSidecar(t.db.prisma, readSidecarFile(file));
  assert.deepEqual(await tableDump(t.db), before);
  assert.equal(first.prompts.created, 8);
  const second = await restoreSidecar(t.db.prisma, readSidecarFile(file));
  assert.deepEqual([second.prompts, second.resources, second.services].map((c) => c.created + c.updated), [0, 0, 0]);
  assert.equal(second.prompts.unchanged, 8);
  assert.deepEqual(await tableDump(t.db), before);
});

test("restore matches by org id and natural key: an edited prompt is put back, not duplicated", async () => {
  const sidecar = await readOrgLocalData(t.db.prisma, { reason: "backup", clerkInstanceId: null });
  const p = await t.db.prisma.prompt.findFirstOrThrow({ where: { organizationId: { not: null } } });
  await t.db.prisma.prompt.update({ where: { id: p.id }, data: { content: "edited since" } });
  const report = await restoreSidecar(t.db.prisma, sidecar);
  assert.equal(report.prompts.updated, 1);
  assert.equal((await t.db.prisma.prompt.findUniqueOrThrow({ where: { id: p.id } })).content, sidecar.organizations.flatMap((o) => o.prompts).find((x) => x.name === p.name && sidecar.organizations.some((o) => o.id === p.organizationId && o.prompts.includes(x)))!.content);
});

test("entries of organizations missing from the database are reported, the rest restored", async () => {
  const sidecar = await readOrgLocalData(t.db.prisma, { reason: "backup", clerkInstanceId: null });
  const gone = sidecar.organizations[0]!.id;
  await t.db.prisma.organization.delete({ where: { id: gone } });
  await t.db.pool.query(`DELETE FROM "Prompt" WHERE "organizationId" IS NOT NULL`);
  const report = await restoreSidecar(t.db.prisma, sidecar);
  assert.deepEqual(report.missingOrganizations, [gone]);
  assert.equal(report.prompts.created, sidecar.organizations.slice(1).reduce((n, o) => n + o.prompts.length, 0));
});

test("secret-looking config fields never reach the file and are listed", async () => {
  const org = await t.db.prisma.organization.findFirstOrThrow({ where: { id: "org_5" } });
  const server = await t.db.prisma.mcpServer.findFirstOrThrow({ where: { name: "github" } });
  await t.db.prisma.organizationService.create({ data: { organizationId: org.id, mcpServerId: server.id, config: { repo: "acme/app", apiToken: "ghp_very_secret", nested: { password: "hunter2" } } } });
  const sidecar = await readOrgLocalData(t.db.prisma, { reason: "backup", clerkInstanceId: null });
  const file = writeSidecarFile(sidecar, { dir });
  const text = readFileSync(file, "utf8");
  assert.ok(!text.includes("ghp_very_secret") && !text.includes("hunter2"));
  assert.ok(text.includes("acme/app"));
  assert.deepEqual([...sidecar.strippedSecrets].sort(), ["org_5.github.apiToken", "org_5.github.nested.password"]);
});

test("a malformed, foreign or newer file is refused with a clear message, before the database is touched", async () => {
  const good = await readOrgLocalData(t.db.prisma, { reason: "backup", clerkInstanceId: null });
  const cases: [string, string, RegExp][] = [
    ["not-json.json", "{ nope", /is not valid JSON/],
    ["foreign.json", JSON.stringify({ users: [], version: 1 }), /is not a clerk-resync sidecar/],
    ["newer.json", JSON.stringify({ ...good, version: 99 }), /sidecar version 99, newer than this tool reads \(1\): update clerk-resync/],
    ["malformed.json", JSON.stringify({ ...good, organizations: [{ id: "not-an-org" }] }), /is malformed \(organizations\.0\.id: is not a Clerk organization id/],
  ];
  for (const [name, text, message] of cases) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    assert.throws(() => readSidecarFile(file), (err: unknown) => err instanceof SidecarFormatError && message.test(err.message) && /nothing was restored/.test(err.message), name);
  }
  assert.throws(() => readSidecarFile(path.join(dir, "missing.json")), /does not exist/);
});

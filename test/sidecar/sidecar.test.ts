import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { addOrgLocalData, tableDump } from "../../src/demo/sample-data.ts";
import { seedDefaults } from "../../examples/seed-app/prisma/seed-defaults.ts";
import { SidecarFormatError } from "../../src/errors.ts";
import { readSidecarFile, writeSidecarFile } from "../../src/sidecar/files.ts";
import { readLocalTables, type LocalTables } from "../../src/sidecar/local-tables.ts";
import { readLocalData } from "../../src/sidecar/read-local-data.ts";
import { checkSidecar, restoreSidecar } from "../../src/sidecar/restore.ts";
import { shareableSidecar } from "../../src/sidecar/share.ts";
import { readPackageJsonConfig } from "../../src/app-config.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "../support/database.ts";
import { truncateAll } from "../support/sync.ts";
import { prismaClient } from "../support/prisma-client.ts";

let t: TestDatabase;
let tables: LocalTables;
const dir = mkdtempSync(path.join(tmpdir(), "clerk-resync-sidecar-"));
const backup = () => readLocalData(t.db.pool, tables, { reason: "backup", clerkInstanceId: "ins_x", database: "test" });
const counts = (r: Awaited<ReturnType<typeof restoreSidecar>>, table: string) => r.tables.find((x) => x.table === table)!;

before(async () => {
  t = await createTestDatabase();
  tables = await readLocalTables(t.db.pool, readPackageJsonConfig(ROOT));
});
after(async () => {
  await t.close();
});
beforeEach(async () => {
  await truncateAll(t.db.pool);
  await seedDefaults(t.db);
  const now = new Date("2025-01-01T00:00:00Z");
  for (const i of [1, 2, 3, 4, 5]) await (await prismaClient(t.db)).organization.create({ data: { id: `org_${i}`, name: `Org ${i}`, slug: `org-${i}`, createdAt: now, updatedAt: now } });
  await addOrgLocalData(t.db);
});

test("the schema decides what is backed up: owned tables, seeded ones left to the seed", () => {
  const roles = Object.fromEntries([...tables.classification.roles].map(([n, r]) => [n, r.role]));
  assert.deepEqual(roles, {
    ClerkSyncState: "tool",
    ClerkTombstone: "tool",
    ClerkWebhookDelivery: "tool",
    McpServer: "seeded",
    Organization: "mirrored",
    OrganizationMembership: "mirrored",
    OrganizationService: "owned",
    Prompt: "owned",
    Resource: "owned",
    User: "mirrored",
    _prisma_migrations: "tool",
  });
  assert.deepEqual(tables.classification.references.get("OrganizationService")?.get("mcpServerId"), { table: "McpServer", by: ["name"] });
});

test("backup, wipe local rows, restore: same content, timestamps included; a second restore changes nothing", async () => {
  const before = await tableDump(t.db);
  const stamps = (await t.db.pool.query(`SELECT "organizationId", name, "createdAt", "updatedAt" FROM "Prompt" WHERE "organizationId" IS NOT NULL ORDER BY 1, 2`)).rows;
  const file = writeSidecarFile(await backup(), { dir, latest: true });
  assert.equal(statSync(file).mode & 0o777, 0o600, "local backups are private");
  await t.db.pool.query(`DELETE FROM "Prompt" WHERE "organizationId" IS NOT NULL; DELETE FROM "Resource" WHERE "organizationId" IS NOT NULL; DELETE FROM "OrganizationService"`);
  const first = await restoreSidecar(t.db.pool, readSidecarFile(file), tables);
  assert.deepEqual(await tableDump(t.db), before);
  assert.deepEqual((await t.db.pool.query(`SELECT "organizationId", name, "createdAt", "updatedAt" FROM "Prompt" WHERE "organizationId" IS NOT NULL ORDER BY 1, 2`)).rows, stamps);
  assert.equal(counts(first, "Prompt").created, 8);
  const second = await restoreSidecar(t.db.pool, readSidecarFile(file), tables);
  assert.deepEqual(second.tables.map((x) => x.created + x.updated), second.tables.map(() => 0));
  assert.equal(counts(second, "Prompt").unchanged, 8);
  assert.deepEqual(await tableDump(t.db), before);
});

test("restore matches on unique keys: an edited prompt is put back, not duplicated", async () => {
  const sidecar = await backup();
  const p = await (await prismaClient(t.db)).prompt.findFirstOrThrow({ where: { organizationId: { not: null } } });
  await (await prismaClient(t.db)).prompt.update({ where: { id: p.id }, data: { content: "edited since" } });
  const report = await restoreSidecar(t.db.pool, sidecar, tables);
  assert.equal(counts(report, "Prompt").updated, 1);
  const saved = sidecar.tables.Prompt!.rows.find((r) => r.organizationId === p.organizationId && r.name === p.name)!;
  assert.equal((await (await prismaClient(t.db)).prompt.findUniqueOrThrow({ where: { id: p.id } })).content, saved.content);
});

test("rows of organizations missing from the database are reported and kept in the file, the rest restored", async () => {
  const sidecar = await backup();
  const gone = sidecar.tables.Prompt!.rows[0]!.organizationId as string;
  await (await prismaClient(t.db)).organization.delete({ where: { id: gone } });
  await t.db.pool.query(`DELETE FROM "Prompt" WHERE "organizationId" IS NOT NULL`);
  const report = await restoreSidecar(t.db.pool, sidecar, tables);
  assert.deepEqual(report.missingOwners.Organization, [gone]);
  const mine = sidecar.tables.Prompt!.rows.filter((r) => r.organizationId === gone).length;
  assert.equal(counts(report, "Prompt").created, sidecar.tables.Prompt!.rows.length - mine);
  assert.deepEqual(counts(report, "Prompt").skipped, [{ reason: `Organization ${gone} is not in the database (gone from Clerk?)`, rows: mine }]);
});

test("a service token: kept whole in a local backup, absent from the shared export and listed", async () => {
  const server = await (await prismaClient(t.db)).mcpServer.findFirstOrThrow({ where: { name: "github" } });
  await (await prismaClient(t.db)).organizationService.create({ data: { organizationId: "org_5", mcpServerId: server.id, config: { repo: "acme/app", apiKey: "ghp_very_secret", nested: { password: "hunter2" }, servers: [{ token: "tok_in_array" }] } } });
  await (await prismaClient(t.db)).prompt.create({ data: { organizationId: "org_5", name: "pasted", content: "use sk_test_abcdefghijklmnop here" } });
  const local = await backup();
  const localFile = writeSidecarFile(local, { dir });
  assert.ok(readFileSync(localFile, "utf8").includes("ghp_very_secret"), "the local backup keeps the token");
  assert.ok(!readFileSync(localFile, "utf8").includes("sk_test_abcdefghijklmnop"), "a Clerk secret key reaches no file");
  assert.deepEqual(local.strippedSecrets.map((s) => s.replace(/#\d+/, "")), ["Prompt[org_5].content"]);
  const shared = shareableSidecar(local);
  const sharedFile = writeSidecarFile(shared, { dir, out: path.join(dir, "team.json") });
  const text = readFileSync(sharedFile, "utf8");
  assert.ok(!text.includes("ghp_very_secret") && !text.includes("hunter2") && !text.includes("tok_in_array"));
  assert.ok(text.includes("acme/app"));
  assert.deepEqual(shared.strippedSecrets.filter((s) => s.includes("org_5")).map((s) => s.replace(/#\d+/, "")).sort(), ["OrganizationService[org_5].config.apiKey", "OrganizationService[org_5].config.nested.password", "OrganizationService[org_5].config.servers.0.token", "Prompt[org_5].content"]);
  // Restoring the local backup after a wipe gives the token back.
  await t.db.pool.query(`DELETE FROM "OrganizationService"`);
  await restoreSidecar(t.db.pool, readSidecarFile(localFile), tables);
  const { rows } = await t.db.pool.query(`SELECT config FROM "OrganizationService" WHERE "organizationId" = 'org_5' AND "mcpServerId" = $1`, [server.id]);
  assert.equal(rows[0].config.apiKey, "ghp_very_secret");
});

test("two rows with one natural key in a file are refused, naming the entry, before anything is touched", async () => {
  const sidecar = await backup();
  const first = sidecar.tables.Prompt!.rows[0]!;
  sidecar.tables.Prompt!.rows.push({ ...first, content: "a second one" });
  assert.throws(
    () => checkSidecar(sidecar, tables, "x.json"),
    (err: unknown) => err instanceof SidecarFormatError && err.message === `x.json has two Prompt rows with organizationId="${first.organizationId}", name="${first.name}"; fix the file (keep one); nothing was restored`,
  );
});

test("a version 1 file still restores", async () => {
  await t.db.pool.query(`DELETE FROM "Prompt" WHERE "organizationId" IS NOT NULL; DELETE FROM "OrganizationService"`);
  const file = path.join(dir, "v1.json");
  const v1 = {
    format: "clerk-resync-sidecar", version: 1, createdAt: "2026-01-01T00:00:00.000Z", clerkInstanceId: null, reason: "backup", strippedSecrets: [],
    organizations: [{ id: "org_1", name: "Org 1", prompts: [{ name: "p", description: null, content: "c" }], resources: [], services: [{ mcpServer: "postgres", enabled: false, config: { a: 1 } }] }],
  };
  writeFileSync(file, JSON.stringify(v1));
  const report = await restoreSidecar(t.db.pool, readSidecarFile(file), tables);
  assert.equal(counts(report, "Prompt").created, 1);
  assert.equal(counts(report, "OrganizationService").created, 1);
  const { rows } = await t.db.pool.query(`SELECT s.enabled, s.config, m.name FROM "OrganizationService" s JOIN "McpServer" m ON m.id = s."mcpServerId"`);
  assert.deepEqual(rows, [{ enabled: false, config: { a: 1 }, name: "postgres" }]);
});

test("a malformed, foreign or newer file is refused with a clear message, before the database is touched", async () => {
  const good = await backup();
  const cases: [string, string, RegExp][] = [
    ["not-json.json", "{ nope", /is not valid JSON/],
    ["foreign.json", JSON.stringify({ users: [], version: 1 }), /is not a clerk-resync sidecar/],
    ["newer.json", JSON.stringify({ ...good, version: 99 }), /sidecar version 99, newer than this tool reads \(2\): update clerk-resync/],
    ["malformed.json", JSON.stringify({ ...good, tables: { Prompt: { role: "owned", columns: {}, rows: "nope" } } }), /is malformed \(tables\.Prompt\.rows: /],
  ];
  for (const [name, text, message] of cases) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    assert.throws(() => readSidecarFile(file), (err: unknown) => err instanceof SidecarFormatError && message.test(err.message) && /nothing was restored/.test(err.message), name);
  }
  assert.throws(() => readSidecarFile(path.join(dir, "missing.json")), /does not exist/);
});

test("a whole backup records every sequence exactly; a role with an app's usual grants (SELECT on tables, USAGE on sequences) still backs up", async () => {
  await t.db.pool.query(`ALTER SEQUENCE "McpServer_id_seq" RESTART WITH 500`);
  const whole = await readLocalData(t.db.pool, tables, { reason: "backup", clerkInstanceId: null, whole: true });
  assert.deepEqual(whole.sequences?.McpServer, { id: { last: "500", called: false } }, "restarted, not yet handed out");
  if (t.kind !== "postgres") return;
  const role = `reader_${process.pid}`;
  await t.db.pool.query(`CREATE ROLE ${role} LOGIN`);
  const u = new URL(t.url);
  u.username = role;
  u.password = "";
  const pool = new (await import("pg")).default.Pool({ connectionString: u.toString() });
  try {
    const schema = (await t.db.pool.query<{ s: string }>(`SELECT current_schema() AS s`)).rows[0]!.s;
    await t.db.pool.query(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA "${schema}" TO ${role}; GRANT USAGE ON ALL SEQUENCES IN SCHEMA "${schema}" TO ${role}`);
    await pool.query(`SET search_path = "${schema}"`);
    await t.db.pool.query(`SELECT nextval('"McpServer_id_seq"')`);
    const client = await pool.connect();
    try {
      await client.query(`SET search_path = "${schema}"`);
      const byReader = await readLocalData(client, await readLocalTables(client, readPackageJsonConfig(ROOT)), { reason: "backup", clerkInstanceId: null, whole: true });
      // USAGE shows the last value handed out (not a RESTART not yet drawn from): enough to never hand it out again.
      assert.deepEqual(byReader.sequences?.McpServer, { id: { last: "500", called: true } });
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
    await t.db.pool.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
  }
});

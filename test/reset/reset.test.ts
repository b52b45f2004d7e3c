// db:reset end to end on a real database (PostgreSQL: a schema built beside public; PGlite: a
// data folder built beside the live one) with the real Prisma CLI, the emulator over HTTP and the
// real SDK.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import pg from "pg";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import type { Config } from "../../src/config.ts";
import { addOrgLocalData, tableDump } from "../../src/demo/sample-data.ts";
import { connectDatabase } from "../../src/db/database.ts";
import { databaseIdentity } from "../../src/db/identity.ts";
import { pgConfigFromUrl } from "../../src/db/pg-config.ts";
import { seedDefaults } from "../../examples/seed-app/prisma/seed-defaults.ts";
import { ClerkRequestError, ConfigError, SafetyError, StepError } from "../../src/errors.ts";
import { silentLogger } from "../../src/log.ts";
import { runReset, undoReset } from "../../src/reset/run-reset.ts";
import { latestBackupFile } from "../../src/sidecar/files.ts";
import { ROOT } from "../support/database.ts";
import { dataDump } from "../support/dump.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { createResetDatabase, type ResetDatabase } from "../support/reset-database.ts";
import { apiFor, resync, truncateAll } from "../support/sync.ts";
import { prismaClient } from "../support/prisma-client.ts";

let r: ResetDatabase;
let emu: RunningEmulator;
let config: Config;

before(async () => {
  r = await createResetDatabase();
  emu = await startTestEmulator({ users: 80, orgs: 8, membershipsPerOrg: 5, seed: 21 });
});
after(async () => {
  await emu.close();
  await r.close();
});
beforeEach(async () => {
  emu.faults.clear();
  const db = await r.open();
  await truncateAll(db.pool);
  config = r.config({ rootDir: ROOT, sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-reset-")), clerk: { secretKey: emu.secretKey, apiUrl: emu.url, requestsPerWindow: 1000, windowMs: 10_000 } });
  await seedDefaults(db);
  await resync(emu, db);
  await addOrgLocalData(db);
});

const reset = async (api = apiFor(emu), keepPrevious = true) => runReset({ config, db: await r.open(), api, log: silentLogger }, { yes: false, forceInstance: false, keepPrevious });
/** Every table's data; the mirror's syncedAt and the reset's own bookkeeping (migrations, last sync) aside. */
const dump = async () => dataDump(await r.open());

test("round trip: db:reset gives back every row of every table, ids included, and keeps the previous database", async () => {
  const beforeDump = await dump();
  const report = await reset();
  assert.equal(report.verified, true);
  assert.deepEqual(await dump(), beforeDump);
  assert.deepEqual(report.before, report.after);
  assert.ok(existsSync(report.backup));
  assert.equal(report.database, databaseIdentity(config));
  assert.equal(readFileSync(latestBackupFile(config.sidecarDir, report.database), "utf8"), readFileSync(report.backup, "utf8"));
  const file = JSON.parse(readFileSync(report.backup, "utf8"));
  assert.equal(file.database, report.database);
  assert.deepEqual(Object.keys(file.tables).sort(), ["ClerkTombstone", "ClerkWebhookDelivery", "McpServer", "Organization", "OrganizationMembership", "OrganizationService", "Prompt", "Resource", "User"]);
  assert.deepEqual(report.tables.map((x) => x.table).sort(), ["McpServer", "Organization", "OrganizationMembership", "OrganizationService", "Prompt", "Resource", "User"], "every backed-up table is verified");
  assert.ok(report.tables.every((x) => x.identical && x.expected === file.tables[x.table].rows.length));
  assert.match(report.previous ?? "", /previous/);
});

test("defaults the seed makes under ids the app's own rows already hold (added after them): both stay, the app's rows keep their ids", async () => {
  const db = await r.open();
  // An app whose org prompts took ids 1–3 before the seed had defaults: the live database has no defaults.
  await db.pool.query(`DELETE FROM "Prompt" WHERE "organizationId" IS NULL`);
  const { rows: orgPrompts } = await db.pool.query(`SELECT id FROM "Prompt" ORDER BY id LIMIT 3`);
  for (const [i, p] of orgPrompts.entries()) await db.pool.query(`UPDATE "Prompt" SET id = $1 WHERE id = $2`, [i + 1, p.id]);
  const kept = (await db.pool.query(`SELECT id, "organizationId", name, content FROM "Prompt" ORDER BY id`)).rows;
  const report = await reset();
  assert.equal(report.verified, true, JSON.stringify(report.tables));
  const prompts = report.restore.tables.find((x) => x.table === "Prompt")!;
  assert.equal(prompts.displaced, 3, JSON.stringify(prompts));
  const after = (await (await r.open()).pool.query(`SELECT id, "organizationId", name, content FROM "Prompt" ORDER BY id`)).rows;
  assert.deepEqual(after.filter((p) => p.organizationId !== null), kept, "every kept prompt, under its own id");
  const defaults = after.filter((p) => p.organizationId === null);
  assert.deepEqual(defaults.map((p) => p.name).sort(), ["draft-reply", "explain-code", "summarize"], "the seed's defaults stay beside them");
  assert.ok(defaults.every((p) => p.id > Math.max(...kept.map((k) => k.id))), "under new ids past the kept ones");
  assert.equal(report.tables.find((x) => x.table === "Prompt")!.extra, 3, "verified as beside them");
});

test("PostgreSQL: the app's sessions are closed at the switch (and counted), clerk-resync's own are spared", async (ctx) => {
  if (r.kind !== "postgres") return ctx.skip("the embedded database has no other sessions: the reset holds its folder");
  const db = await r.open();
  const app = new pg.Client({ ...pgConfigFromUrl(db.url), application_name: "the app" });
  app.on("error", () => {});
  await app.connect();
  try {
    const report = await reset();
    assert.ok(report.closedSessions >= 1, `closed ${report.closedSessions}`);
    await assert.rejects(app.query("SELECT 1"), "the app's session was closed; its pool reconnects");
    assert.equal((await db.pool.query("SELECT 1 AS one")).rows[0].one, 1, "this process's pool still works");
  } finally {
    await app.end().catch(() => {});
  }
});

test("PostgreSQL: a role without the rights to build beside and switch is refused in preflight, with the statements that fix it", async (ctx) => {
  if (r.kind !== "postgres") return ctx.skip("the embedded database needs no rights");
  const db = await r.open();
  const role = `clerk_resync_norights_${process.pid}`;
  await db.pool.query(`CREATE ROLE ${role} LOGIN`);
  const url = new URL(db.url);
  url.username = role;
  const limited = await connectDatabase(url.toString(), false);
  try {
    const beforeDump = await dump();
    await assert.rejects(runReset({ config: { ...config, databaseUrl: url.toString() }, db: limited, api: apiFor(emu), log: silentLogger }, { yes: false, forceInstance: false }), (err: unknown) => {
      assert.ok(err instanceof SafetyError);
      assert.match(err.message, new RegExp(`needs the right to create schemas in \\S+ and to own schema public; ${role} lacks both\\. As the database owner or a superuser, run: GRANT CREATE ON DATABASE "\\S+" TO "${role}"; ALTER SCHEMA "public" OWNER TO "${role}"; Nothing was changed\\.$`));
      return true;
    });
    assert.deepEqual(await dump(), beforeDump);
    assert.deepEqual(readdirSync(config.sidecarDir), [], "refused before the backup");
  } finally {
    await limited.close();
    await db.pool.query(`DROP ROLE ${role}`);
  }
});

test("undo switches back in one step; a second undo is refused", async () => {
  const db = await r.open();
  await db.pool.query(`UPDATE "Prompt" SET content = 'before the reset' WHERE id = (SELECT min(id) FROM "Prompt" WHERE "organizationId" IS NOT NULL)`);
  const beforeDump = await dump();
  await reset();
  await (await r.open()).pool.query(`UPDATE "Prompt" SET content = 'after the reset'`);
  const undone = await undoReset(await r.open());
  assert.match(undone.restored, /as it was before the reset/);
  assert.deepEqual(await dump(), beforeDump);
  await assert.rejects(undoReset(await r.open()), (err: unknown) => err instanceof SafetyError && /^Nothing to undo: there is no previous database/.test(err.message));
  assert.deepEqual(await dump(), beforeDump);
});

test("--no-keep drops the previous database; undo then has nothing to switch back to", async () => {
  const report = await reset(apiFor(emu), false);
  assert.equal(report.previous, null);
  await assert.rejects(undoReset(await r.open()), SafetyError);
});

test("Clerk unreachable at preflight: the database is unchanged, no file written", async () => {
  const beforeDump = await dump();
  emu.faults.set([{ route: "GET /instance", status: 503, times: Infinity }]);
  await assert.rejects(reset(), (err: unknown) => err instanceof ClerkRequestError && /GET \/v1\/instance failed after 6 tries/.test(err.message));
  assert.deepEqual(await dump(), beforeDump);
  assert.deepEqual(readdirSync(config.sidecarDir), []);
});

test("a wrong key at preflight: the database is unchanged", async () => {
  const beforeDump = await dump();
  const wrong = apiFor(emu, { secretKey: "sk_test_wrongwrongwrong" });
  await assert.rejects(reset(wrong), (err: unknown) => err instanceof ConfigError && /Clerk rejected CLERK_SECRET_KEY/.test(err.message));
  assert.deepEqual(await dump(), beforeDump);
  assert.deepEqual(readdirSync(config.sidecarDir), []);
});

test("an organization Clerk no longer has: its rows are reported and kept in the file, the rest restored", async () => {
  const db = await r.open();
  const withData = (await (await prismaClient(db)).prompt.findMany({ where: { organizationId: { not: null } }, distinct: ["organizationId"] })).map((p) => p.organizationId!);
  const gone = withData[0]!;
  emu.store.deleteOrganization(gone);
  const beforeDump = await tableDump(db);
  const report = await reset();
  assert.deepEqual(report.restore.missingOwners.Organization, [gone]);
  assert.equal(report.verified, true, "the loss is accounted for");
  const file = JSON.parse(readFileSync(report.backup, "utf8"));
  assert.ok(file.tables.Prompt.rows.some((row: { organizationId: string }) => row.organizationId === gone), "rows kept in the file");
  const afterDump = await tableDump(await r.open());
  const keep = (rows: unknown[] | undefined) => (rows ?? []).filter((x) => (x as { organizationId?: string }).organizationId !== gone);
  assert.deepEqual(afterDump.prompts, keep(beforeDump.prompts));
  assert.deepEqual(afterDump.resources, keep(beforeDump.resources));
  assert.deepEqual(afterDump.services, keep(beforeDump.services));
});

test("a failure while building leaves the live database as it was, with one line saying why and nothing to resume", async () => {
  const beforeDump = await dump();
  emu.faults.set([{ route: "GET /organization_memberships", status: 500, times: Infinity }]);
  await assert.rejects(reset(), (err: unknown) => {
    assert.ok(err instanceof StepError);
    assert.match(err.message, /^db:reset stopped while resyncing users, organizations and memberships from Clerk into the new database: .*\. The live database was not touched; the unfinished new database was dropped\.$/s);
    assert.match(err.nextStep ?? "", /^fix the cause and run pnpm db:reset again/);
    return true;
  });
  assert.deepEqual(await dump(), beforeDump);
  emu.faults.clear();
  const report = await reset();
  assert.equal(report.verified, true);
  assert.deepEqual(await dump(), beforeDump);
});

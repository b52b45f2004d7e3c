// db:reset end to end on a real database (PostgreSQL or PGlite) with the real Prisma CLI, the
// emulator over HTTP and the real SDK.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { addOrgLocalData, tableDump } from "../../src/db/demo-data.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { seedDefaults } from "../../src/db/seed-defaults.ts";
import { ClerkRequestError, ConfigError, StepError } from "../../src/errors.ts";
import { silentLogger } from "../../src/log.ts";
import { runReset } from "../../src/reset/run-reset.ts";
import { LATEST_BACKUP } from "../../src/sidecar/files.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { apiFor, resync, truncateAll } from "../support/sync.ts";

let t: TestDatabase;
let emu: RunningEmulator;
let config: Config;

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 80, orgs: 8, membershipsPerOrg: 5, seed: 21 });
});
after(async () => {
  await emu.close();
  await t.close();
});
beforeEach(async () => {
  emu.faults.clear();
  await truncateAll(t.db.pool);
  config = { ...loadConfig({}, ROOT), databaseUrl: t.url, sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-reset-")), clerk: { secretKey: emu.secretKey, apiUrl: emu.url, requestsPerWindow: 1000, windowMs: 10_000 } };
  await seedDefaults(t.db.prisma);
  await resync(emu, t.db);
  await addOrgLocalData(t.db);
});

/** Every table, every column (ids and syncedAt included), as text. */
async function rawDump(): Promise<string> {
  const { rows } = await t.db.pool.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  const out: Record<string, unknown[]> = {};
  for (const { tablename } of rows) out[tablename] = (await t.db.pool.query(`SELECT * FROM "${tablename}" ORDER BY 1`)).rows;
  return JSON.stringify(out);
}

const reset = (api = apiFor(emu)) => runReset({ config, db: t.db, api, log: silentLogger }, { yes: false, forceInstance: false });

test("round trip: db:reset gives back the same rows, same ids, same content", async () => {
  const beforeDump = await tableDump(t.db);
  assert.ok((beforeDump.prompts?.length ?? 0) >= 6 && (beforeDump.services?.length ?? 0) >= 4, "several orgs with several of each kind");
  const report = await reset();
  assert.equal(report.verified, true);
  assert.deepEqual(await tableDump(t.db), beforeDump);
  assert.deepEqual(report.before, report.after);
  assert.ok(existsSync(report.backup));
  assert.equal(readFileSync(path.join(config.sidecarDir, LATEST_BACKUP), "utf8"), readFileSync(report.backup, "utf8"));
  // The sidecar holds local data only: owned tables, never Clerk's users, organizations or memberships.
  const file = JSON.parse(readFileSync(report.backup, "utf8"));
  assert.deepEqual(Object.keys(file.tables).sort(), ["OrganizationService", "Prompt", "Resource"]);
  assert.deepEqual(report.tables.map((x) => x.table).sort(), ["OrganizationService", "Prompt", "Resource"], "every backed-up table is verified");
  assert.ok(report.tables.every((x) => x.identical && x.expected === file.tables[x.table].rows.length));
  assert.ok(!existsSync(path.join(config.sidecarDir, "reset-journal.json")), "a verified reset clears its journal");
});

test("Clerk unreachable at preflight: the database is byte-for-byte unchanged, no file written", async () => {
  const beforeDump = await rawDump();
  emu.faults.set([{ route: "GET /instance", status: 503, times: Infinity }]);
  await assert.rejects(reset(), (err: unknown) => err instanceof ClerkRequestError && /GET \/v1\/instance failed after 6 tries/.test(err.message));
  assert.equal(await rawDump(), beforeDump);
  assert.deepEqual(readdirSync(config.sidecarDir), []);
});

test("a wrong key at preflight: the database is byte-for-byte unchanged", async () => {
  const beforeDump = await rawDump();
  const wrong = apiFor(emu, { secretKey: "sk_test_wrongwrongwrong" });
  await assert.rejects(reset(wrong), (err: unknown) => err instanceof ConfigError && /Clerk rejected CLERK_SECRET_KEY/.test(err.message));
  assert.equal(await rawDump(), beforeDump);
  assert.deepEqual(readdirSync(config.sidecarDir), []);
});

test("an organization Clerk no longer has: reported, kept in the file, the rest restored", async () => {
  const withData = (await t.db.prisma.prompt.findMany({ where: { organizationId: { not: null } }, distinct: ["organizationId"] })).map((p) => p.organizationId!);
  const gone = withData[0]!;
  emu.store.deleteOrganization(gone);
  const beforeDump = await tableDump(t.db);
  const report = await reset();
  assert.deepEqual(report.restore.missingOwners.Organization, [gone]);
  assert.equal(report.verified, true, "the loss is accounted for");
  const file = JSON.parse(readFileSync(report.backup, "utf8"));
  assert.ok(file.tables.Prompt.rows.some((r: { organizationId: string }) => r.organizationId === gone), "rows kept in the file");
  const afterDump = await tableDump(t.db);
  const keep = (rows: unknown[] | undefined) => (rows ?? []).filter((r) => (r as { organizationId?: string }).organizationId !== gone);
  assert.deepEqual(afterDump.prompts, keep(beforeDump.prompts));
  assert.deepEqual(afterDump.resources, keep(beforeDump.resources));
  assert.deepEqual(afterDump.services, keep(beforeDump.services));
});

test("a failure after the reset names the command that finishes the job; the sidecar stays", async () => {
  emu.faults.set([{ route: "GET /organization_memberships", status: 500, times: Infinity }]);
  await assert.rejects(reset(), (err: unknown) => {
    assert.ok(err instanceof StepError);
    assert.match(err.message, /Resync after the reset failed/);
    assert.match(err.nextStep ?? "", /^pnpm db:reset \(it finishes this reset from .*backup-.*\.json; so does any clerk-resync command\)$/);
    const file = /from (\S+backup-\S+\.json)/.exec(err.nextStep!)![1]!;
    assert.ok(existsSync(file), "sidecar kept");
    return true;
  });
});

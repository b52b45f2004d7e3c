// The package's prisma/ (the default mirror schema an adopter copies) as an app of its own: its
// migrations make the tables a resync fills and a reset keeps, with no mapping and no seed. The
// demo and the rest of the suite run examples/seed-app, whose first migrations must be these.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { silentLogger } from "../../src/log.ts";
import { runReset, undoReset } from "../../src/reset/run-reset.ts";
import { copyProject } from "../support/app-models-project.ts";
import { ROOT } from "../support/database.ts";
import { dataDump, pgDump } from "../support/dump.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { createResetDatabase, type ResetDatabase } from "../support/reset-database.ts";
import { apiFor, resync } from "../support/sync.ts";

const MIRROR = path.join(ROOT, "prisma");
const SEED_APP = path.join(ROOT, "examples/seed-app/prisma");
const project = copyProject(path.join(ROOT, "test/fixtures/mirror-app"));
cpSync(MIRROR, path.join(project, "prisma"), { recursive: true, filter: (src) => path.basename(src) !== "backups" });
const sidecarDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-mirror-app-"));
let r: ResetDatabase;
let emu: RunningEmulator;

before(async () => {
  r = await createResetDatabase({ rootDir: project, empty: true });
  emu = await startTestEmulator({ users: 12, orgs: 3, membershipsPerOrg: 3, seed: 31 });
});
after(async () => {
  await emu?.close();
  await r?.close();
});

const migrations = (dir: string) => readdirSync(path.join(dir, "migrations")).filter((d) => !d.endsWith(".toml")).sort();

test("prisma/ holds the mirror's models alone, and examples/seed-app starts from its migrations, unchanged", () => {
  const models = [...readFileSync(path.join(MIRROR, "schema.prisma"), "utf8").matchAll(/^model (\w+)/gm)].map((m) => m[1]);
  assert.deepEqual(models, ["User", "Organization", "OrganizationMembership", "ClerkSyncState", "ClerkTombstone", "ClerkWebhookDelivery"]);
  const own = migrations(MIRROR);
  assert.deepEqual(migrations(SEED_APP).slice(0, own.length), own);
  for (const name of own) assert.equal(readFileSync(path.join(SEED_APP, "migrations", name, "migration.sql"), "utf8"), readFileSync(path.join(MIRROR, "migrations", name, "migration.sql"), "utf8"), name);
});

test("an app on the default schema: a resync fills it, a second writes nothing, and a reset keeps every row; --undo puts it back", async () => {
  const db = await r.open();
  const { report } = await resync(emu, db, { sidecarDir });
  assert.deepEqual([report.users.created, report.organizations.created, report.memberships.created], [emu.store.users.size, emu.store.organizations.size, emu.store.memberships.size]);
  assert.equal((await resync(emu, db, { sidecarDir })).report.rowsWritten, 0);
  const snapshot = async () => ({ data: await dataDump(await r.open()), dump: pgDump(await r.open()) });
  const before = await snapshot();
  const config = r.config({ rootDir: project, tables: {}, sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-mirror-app-backups-")), clerk: { secretKey: emu.secretKey, apiUrl: emu.url, requestsPerWindow: 1000, windowMs: 10_000 } });
  const reset = await runReset({ config, db, api: apiFor(emu), log: silentLogger }, { yes: false, forceInstance: false });
  assert.equal(reset.verified, true, JSON.stringify(reset.tables));
  assert.equal(reset.resync.rowsWritten, 0);
  const after = await snapshot();
  assert.deepEqual(after.data, before.data);
  assert.equal(after.dump, before.dump, "pg_dump --data-only of every table");
  assert.ok(before.data.User!.length === emu.store.users.size);
  await undoReset(await r.open());
  assert.deepEqual((await snapshot()).data, before.data);
});

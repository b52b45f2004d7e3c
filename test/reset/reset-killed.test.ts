// db:reset killed as people kill it — kill -9 at every step (preflight, backup, build, resync,
// restore, verify, switch), or Ctrl-C — leaves the live database as it was (pg_dump --data-only
// of every table, where pg_dump can reach it) or the reset completed, with nothing to resume: the
// next plain db:reset just works.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { addOrgLocalData } from "../../src/demo/sample-data.ts";
import { seedDefaults } from "../../examples/seed-app/prisma/seed-defaults.ts";
import { RESET_STEPS } from "../../src/reset/run-reset.ts";
import { resetInterruptedAt, runCli } from "../support/cli.ts";
import { onFirstPassOnly } from "../support/passes.ts";
import { dataDump, pgDump } from "../support/dump.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { createResetDatabase, type ResetDatabase } from "../support/reset-database.ts";
import { resync, truncateAll } from "../support/sync.ts";

let r: ResetDatabase;
let emu: RunningEmulator;
let env: Record<string, string>;

before(async () => {
  r = await createResetDatabase();
  emu = await startTestEmulator({ users: 40, orgs: 6, membershipsPerOrg: 4, seed: 31 });
  const db = await r.open();
  await truncateAll(db.pool);
  await seedDefaults(db);
  await resync(emu, db);
  await addOrgLocalData(db);
});
after(async () => {
  await emu.close();
  await r.close();
});
beforeEach(() => {
  emu.faults.clear();
  env = { ...r.env, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: mkdtempSync(path.join(tmpdir(), "clerk-resync-killed-")) };
});

async function snapshot(): Promise<{ data: Record<string, string[]>; dump: string | null }> {
  const db = await r.open();
  const out = { data: await dataDump(db), dump: pgDump(db) };
  await r.release();
  return out;
}

async function assertUnchangedAndResettable(before: Awaited<ReturnType<typeof snapshot>>, what: string): Promise<void> {
  const after = await snapshot();
  assert.deepEqual(after.data, before.data, `${what}: every table as it was`);
  assert.equal(after.dump, before.dump, `${what}: pg_dump --data-only as it was`);
  // Nothing to resume: a plain reset and a check simply work.
  const rerun = await runCli(["reset", "--json"], env);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(JSON.parse(rerun.stdout).verified, true);
  const check = await runCli(["resync", "--check"], env);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.deepEqual((await snapshot()).data, before.data, `${what}: the rerun gave every row back`);
}

// On CI's second pass (PGlite) only the steps whose work is the embedded folder's own (building the
// sibling folder, writing into it, renaming it in); the others do the same on either kind.
const FOLDER_STEPS: readonly string[] = ["build", "restore", "switch"];

for (const [name, step] of Object.entries(RESET_STEPS)) {
  test(`kill -9 during ${name}: the live database is unchanged, and a plain rerun works`, { skip: FOLDER_STEPS.includes(name) ? false : onFirstPassOnly }, async () => {
    const before = await snapshot();
    // A slow Clerk keeps the resync running when the signal arrives.
    if (name === "resync") emu.faults.set([{ route: "GET /organization_memberships", latencyMs: 3_000, times: 1 }]);
    const killed = await resetInterruptedAt(step, "SIGKILL", env);
    assert.match(killed.how, /^(SIGKILL|0)$/, killed.stderr);
    emu.faults.clear();
    await assertUnchangedAndResettable(before, `killed during ${name}`);
  });
}

test("Ctrl-C while building: one line saying why, the live database unchanged, nothing to resume", { skip: onFirstPassOnly }, async () => {
  const before = await snapshot();
  emu.faults.set([{ route: "GET /organization_memberships", latencyMs: 3_000, times: 1 }]);
  const stopped = await resetInterruptedAt(RESET_STEPS.resync, "SIGINT", env);
  assert.equal(stopped.how, "130");
  assert.match(stopped.stderr, /error: db:reset interrupted \(SIGINT\) while resyncing users, organizations and memberships from Clerk into the new database: the live database was not touched; nothing to resume/);
  emu.faults.clear();
  await assertUnchangedAndResettable(before, "Ctrl-C");
});

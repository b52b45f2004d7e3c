// db:reset interrupted as people interrupt it — Ctrl-C (SIGINT to the process group) or a crash
// (SIGKILL) during the wipe, the resync or the restore — then simply run again: the rerun finishes
// the interrupted reset from its backup and every table comes back as it was.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import pg from "pg";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { addOrgLocalData, tableDump } from "../../src/db/demo-data.ts";
import { pgConfigFromUrl } from "../../src/db/pg-config.ts";
import { JOURNAL_FILE } from "../../src/reset/journal.ts";
import { runCli } from "../support/cli.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { resetToSynced } from "../support/sync.ts";

let t: TestDatabase;
let emu: RunningEmulator;
let env: Record<string, string>;
let backups: string;

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 40, orgs: 6, membershipsPerOrg: 4, seed: 31 });
});
after(async () => {
  await emu.close();
  await t.close();
});
beforeEach(async () => {
  emu.faults.clear();
  await resetToSynced(emu, t.db);
  await addOrgLocalData(t.db);
  backups = mkdtempSync(path.join(tmpdir(), "clerk-resync-interrupted-"));
  env = { DATABASE_URL: t.url, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: backups };
});

/** Starts `db:reset` in its own process group and delivers `signal` to the group once `step` is logged. */
function resetInterruptedAt(step: RegExp, signal: NodeJS.Signals, beforeSignal: () => Promise<void> = async () => {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli.ts"), "reset"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stderr = "";
    let sent = false;
    child.stdout.resume();
    child.stderr.on("data", (d) => {
      stderr += d;
      if (!sent && step.test(stderr)) {
        sent = true;
        beforeSignal().then(() => process.kill(-child.pid!, signal), reject);
      }
    });
    child.on("error", reject);
    child.on("close", (code, sig) => (sent ? resolve(`${code ?? sig}`) : reject(new Error(`db:reset ended (${code ?? sig}) before "${step}":\n${stderr}`))));
  });
}

async function rerunAndCompare(before: Record<string, unknown[]>): Promise<void> {
  assert.ok(existsSync(path.join(backups, JOURNAL_FILE)), "the interrupted reset left its journal");
  // Backing up the half-reset database must not replace the backup the journal depends on.
  const latest = readFileSync(path.join(backups, "latest-backup.json"), "utf8");
  const backup = await runCli(["backup"], env);
  assert.equal(backup.code, 1);
  assert.match(backup.stderr, /A db:reset started .* has not finished \(its data is in .*backup-.*\.json\): backing up the half-rebuilt database would replace the real backup\. Nothing was written\.\nTo finish the job: pnpm db:reset/);
  // A check only reads: it refuses too, rather than finishing the reset without the lock.
  const checkDuring = await runCli(["resync", "--check"], env);
  assert.equal(checkDuring.code, 1);
  assert.match(checkDuring.stderr, /A db:reset started .* has not finished .*: a plan of it would compare Clerk with a half-rebuilt database\. Nothing was written\./);
  assert.equal(readFileSync(path.join(backups, "latest-backup.json"), "utf8"), latest);
  const rerun = await runCli(["reset", "--json"], env);
  assert.equal(rerun.code, 0, rerun.stderr);
  const report = JSON.parse(rerun.stdout);
  assert.equal(report.resumed, true, "the rerun finished the interrupted reset");
  assert.equal(report.verified, true);
  assert.deepEqual(await tableDump(t.db), before);
  assert.ok(!existsSync(path.join(backups, JOURNAL_FILE)), "a verified reset clears the journal");
  // The backup the rerun restored from is the full one, not a backup of the half-reset database.
  const file = JSON.parse(readFileSync(report.backup, "utf8"));
  assert.equal(file.tables.Prompt.rows.length, before.prompts!.length);
  const check = await runCli(["resync", "--check"], env);
  assert.equal(check.code, 0, check.stdout + check.stderr);
}

const WIPE = /resetting the database/;
const RESYNC = /resyncing users, organizations and memberships/;

test("SIGKILL during the wipe (prisma migrate reset), then a plain rerun: every table back", async () => {
  const before = await tableDump(t.db);
  await resetInterruptedAt(WIPE, "SIGKILL");
  await rerunAndCompare(before);
});

for (const signal of ["SIGINT", "SIGKILL"] as const) {
  test(`${signal} during the resync, then a plain rerun: every table back`, async () => {
    const before = await tableDump(t.db);
    // A slow Clerk keeps the resync running when the signal arrives.
    emu.faults.set([{ route: "GET /organization_memberships", latencyMs: 5_000, times: 1 }]);
    await resetInterruptedAt(RESYNC, signal);
    emu.faults.clear();
    await rerunAndCompare(before);
  });
}

for (const signal of ["SIGINT", "SIGKILL"] as const) {
  test(`${signal} during the restore, then a plain rerun: every table back`, async (ctx) => {
    // A lock held by another session keeps the restore waiting; PGlite has one session for all.
    if (t.kind === "pglite") return ctx.skip("needs a second database session to hold a lock (PostgreSQL)");
    const before = await tableDump(t.db);
    // A slow Clerk keeps the resync running until the lock is held (a fast resync beats the locker to the table).
    emu.faults.set([{ route: "GET /organization_memberships", latencyMs: 1_000, times: 1 }]);
    const locker = new pg.Client(pgConfigFromUrl(t.url));
    let locked = false;
    try {
      await resetInterruptedAt(RESYNC, signal, async () => {
        await locker.connect();
        await locker.query(`BEGIN; LOCK TABLE "Prompt" IN ACCESS EXCLUSIVE MODE`);
        locked = true;
        // Signal only once the restore is waiting on the lock.
        for (let i = 0; i < 200; i++) {
          // Inside a transaction pg_stat_activity is a snapshot taken at first use: clear it each time.
          await locker.query("SELECT pg_stat_clear_snapshot()");
          const { rows } = await locker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
          if (rows[0].n > 0) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error("the restore never reached the locked table");
      });
    } finally {
      if (locked) await locker.query("ROLLBACK");
      await locker.end();
    }
    await rerunAndCompare(before);
  });
}

test("Clerk down after the wipe: the reset fails, a plain rerun once Clerk is back gives every table back", async () => {
  const before = await tableDump(t.db);
  emu.faults.set([{ route: "GET /organization_memberships", status: 503, times: Infinity }]);
  const failed = await runCli(["reset"], env);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /Resync after the reset failed: .*Local data is safe in .*backup-.*\.json\.\nTo finish the job: pnpm db:reset \(it finishes this reset from /);
  emu.faults.clear();
  // Pointed at another database, the unfinished reset is not finished there: nothing is wiped or filled.
  const other = await createTestDatabase();
  try {
    const elsewhere = await runCli(["resync"], { ...env, DATABASE_URL: other.url });
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stderr, /A db:reset of \S+ \(started [^)]+\) has not finished, but this command is pointed at \S+; nothing was changed\.\nTo finish the job: point DATABASE_URL back at/);
    assert.equal((await other.db.pool.query(`SELECT count(*)::int AS n FROM "User"`)).rows[0].n, 0);
  } finally {
    await other.close();
  }
  await rerunAndCompare(before);
});

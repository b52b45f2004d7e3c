// One writer at a time: two db:resets (or a reset and a resync) through the real CLI against one
// database. PostgreSQL: the advisory lock; the embedded database: its folder lock (one process at a time).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { addOrgLocalData, tableDump } from "../../src/demo/sample-data.ts";
import type { CliRun } from "../support/cli.ts";
import { ROOT } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { createResetDatabase, type ResetDatabase } from "../support/reset-database.ts";
import { resetToSynced } from "../support/sync.ts";
import { CLI, childEnv } from "../support/cli.ts";

let r: ResetDatabase;
let emu: RunningEmulator;
let env: Record<string, string>;

before(async () => {
  r = await createResetDatabase();
  emu = await startTestEmulator({ users: 40, orgs: 5, membershipsPerOrg: 4, seed: 31 });
});
after(async () => {
  await emu.close();
  await r.close();
});
beforeEach(async () => {
  emu.faults.clear();
  env = { ...r.env, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: mkdtempSync(path.join(tmpdir(), "clerk-resync-lock-")) };
  const db = await r.open();
  await resetToSynced(emu, db);
  await addOrgLocalData(db);
  await r.release();
});

/** The tables, read while no CLI runs (the embedded folder is one process's at a time). */
async function dump() {
  const out = await tableDump(await r.open());
  await r.release();
  return out;
}

/** How the second writer is refused: the writer lock, or on the embedded database the folder lock. */
const refusal = () =>
  r.kind === "postgres"
    ? /^error: another sync or reset is running \(db:reset, pid \d+, started \d{4}-\d\d-\d\dT[\d:]+Z\); wait for it or pass --wait$/m
    : /^error: The embedded database \(\S+\) is in use by another process \(db:reset, pid \d+, started \d{4}-\d\d-\d\dT[\d:]+Z\): wait for it to finish or stop it, or set DATABASE_URL to use another database$/m;
const waitingFor = () => (r.kind === "postgres" ? "waiting for the other sync or reset to finish (db:reset, pid" : "waiting for db:reset, pid");

/** The real CLI in a child; `stderrSeen` resolves when its stderr first contains `text`. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...childEnv(), LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => {
    stderr += d;
    for (const w of waiters) if (stderr.includes(w.text)) w.resolve();
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
  const stderrSeen = (text: string) => new Promise<void>((resolve) => (stderr.includes(text) ? resolve() : waiters.push({ text, resolve })));
  return { done, stderrSeen };
}

test("two db:resets started together: one completes, the other exits 1 naming the running one; no row lost", { timeout: 120_000 }, async () => {
  const before = await dump();
  const [a, b] = await Promise.all([startCli(["reset"]).done, startCli(["reset"]).done]);
  const [won, lost] = a.code === 0 ? [a, b] : [b, a];
  assert.equal(won.code, 0, `one reset completes: ${won.stderr}`);
  assert.equal(lost.code, 1, `the other refuses: ${lost.stderr}`);
  assert.match(lost.stderr, refusal());
  assert.deepEqual(await dump(), before);
});

test("a resync while a reset runs refuses; with --wait it waits for the reset, then succeeds", { timeout: 120_000 }, async () => {
  const before = await dump();
  // A slow Clerk keeps the reset (and its lock) busy while the two resyncs start, however slow the machine.
  emu.faults.set([{ route: "GET /organization_memberships", latencyMs: 8_000, times: 1 }]);
  const reset = startCli(["reset"]);
  await reset.stderrSeen("preflight");
  const refused = await startCli(["resync"]).done;
  const waiting = startCli(["resync", "--wait", "--json"]);
  const sawWaiting = await Promise.race([waiting.stderrSeen(waitingFor()).then(() => true), reset.done.then(() => false)]);
  assert.ok(sawWaiting, "the second resync waited while the reset ran");
  const [resetRun, waited] = await Promise.all([reset.done, waiting.done]);
  emu.faults.clear();
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, refusal());
  assert.equal(resetRun.code, 0, resetRun.stderr);
  assert.equal(waited.code, 0, waited.stderr);
  const report = JSON.parse(waited.stdout);
  assert.equal(report.users.unchanged, 40, "the waiting resync ran after the reset had resynced");
  assert.deepEqual(await dump(), before);
});

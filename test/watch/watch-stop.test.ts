// The watcher over a long run and at its end: 1,000 ticks leave no abort listener behind and no
// heap growth; Ctrl-C through pnpm is a clean stop with exit 0 (no "Command failed"); a second
// Ctrl-C while a tick hangs ends the process at once.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { getEventListeners } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { watch } from "../../src/watch/watch-loop.ts";
import { CLI, waitForOutput } from "../support/cli.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { apiFor, resetToSynced } from "../support/sync.ts";

let t: TestDatabase;
let emu: RunningEmulator;
let sidecarDir: string;

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 10, orgs: 1, membershipsPerOrg: 2, seed: 51 });
  await resetToSynced(emu, t.db);
  sidecarDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-watch-stop-"));
});
after(async () => {
  await emu.close();
  await t.close();
});

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

test("1,000 ticks: at most one abort listener at any time, and the heap does not grow", { timeout: 300_000 }, async () => {
  const controller = new AbortController();
  const listeners: number[] = [];
  let heapAt100 = 0;
  let heapAt1000 = 0;
  const config = { ...loadConfig({}, ROOT), databaseUrl: t.url, sidecarDir };
  const stats = await watch(
    { config, db: t.db, api: apiFor(emu), log: silentLogger },
    {
      intervalMs: 0,
      fullEvery: 1_000_000,
      signal: controller.signal,
      onChange: () => {},
      onStatus: () => {},
      onTick: (s) => {
        listeners.push(getEventListeners(controller.signal, "abort").length);
        const ticks = s.ticks + s.failedTicks;
        if (ticks === 100) heapAt100 = heapAfterGc();
        if (ticks === 1000) {
          heapAt1000 = heapAfterGc();
          controller.abort();
        }
      },
    },
  );
  assert.equal(stats.ticks, 1000);
  assert.equal(stats.failedTicks, 0);
  assert.ok(Math.max(...listeners) <= 1, `abort listeners seen: up to ${Math.max(...listeners)}`);
  const growth = heapAt1000 - heapAt100;
  assert.ok(growth < 5 * 1024 * 1024, `heap grew ${(growth / 1024 / 1024).toFixed(1)} MB from tick 100 to 1000`);
});

const cliEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "info", DATABASE_URL: t.url, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: sidecarDir });

test("Ctrl-C on `pnpm clerk:resync --watch` in a terminal: a clean stop, exit 0, no 'Command failed'", { timeout: 120_000 }, async () => {
  // `script` gives pnpm a terminal, so Ctrl-C reaches the whole foreground group as it does for a
  // person; `exec` keeps script's own sh out of that group, as an interactive shell is.
  const child = spawn("script", ["-qec", "exec pnpm clerk:resync --watch --interval 200ms", "/dev/null"], { cwd: ROOT, env: { ...cliEnv(), TERM: "dumb" }, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  await waitForOutput(() => output, /watching Clerk every 0\.2 s/);
  child.stdin.write("\x03");
  assert.equal(await exited, 0, output);
  assert.match(output, /stopped after \d+ ticks/);
  assert.doesNotMatch(output, /ELIFECYCLE|Command failed/);
});

test("a second Ctrl-C while a tick hangs on Clerk ends the process at once", { timeout: 120_000 }, async () => {
  const child = spawn(process.execPath, [CLI, "resync", "--watch", "--interval", "200ms", "--full-every", "1000"], { cwd: ROOT, env: cliEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  try {
    await waitForOutput(() => output, /watching Clerk every 0\.2 s/);
    // The next tick's users request hangs for 20 s.
    const before = emu.stats.requests;
    emu.faults.set([{ route: "GET /users", latencyMs: 20_000, times: 1 }]);
    for (let i = 0; i < 200 && emu.stats.requests === before; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill("SIGINT");
    await waitForOutput(() => output, /Ctrl-C again forces it/);
    // A person's second press, not the same press delivered twice (see stop-signals.ts).
    await new Promise((r) => setTimeout(r, 500));
    const second = performance.now();
    child.kill("SIGINT");
    assert.equal(await exited, 130, output);
    assert.ok(performance.now() - second < 3_000, "ended at once");
  } finally {
    emu.faults.clear();
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

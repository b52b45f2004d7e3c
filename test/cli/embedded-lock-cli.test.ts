// The embedded database's data folder is opened by one process only: `pnpm dev` serves it and
// other commands go through dev's socket; any other holder makes them refuse. Real CLI processes
// on a PGlite folder of their own (DATABASE_URL unset).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { addOrgLocalData, tableDump } from "../../src/demo/sample-data.ts";
import { connectDatabase } from "../../src/db/database.ts";
import { dataDirLockFile } from "../../src/db/embedded-lock.ts";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres.ts";
import { runCli, CLI, childEnv } from "../support/cli.ts";
import { ROOT } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";

const newFolder = () => path.join(mkdtempSync(path.join(tmpdir(), "clerk-resync-embedded-")), "pglite");

test("pnpm dev holds the folder: db:reset from another process refuses in one line (it must switch the folder dev holds); dev's database stays healthy and complete", { timeout: 180_000 }, async () => {
  const dataDir = newFolder();
  const sidecarDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-embedded-sidecar-"));
  const dev = spawn(process.execPath, [CLI, "dev", "--json", "--users", "30", "--db-port", "0", "--emulator-port", "0"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CLERK_RESYNC_PGLITE_DIR: dataDir, CLERK_RESYNC_DEV_STATE: path.join(sidecarDir, "dev-state.json"), LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  dev.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => dev.on("close", resolve));
  const line = await Promise.race([
    new Promise<string>((resolve) => dev.stdout.on("data", (d) => (stdout += d).includes("\n") && resolve(stdout.split("\n")[0]!))),
    exited.then((code) => Promise.reject(new Error(`dev exited early (${code}): ${stderr}`))),
  ]);
  const { services, stateFile } = JSON.parse(line) as { services: Record<string, string>; stateFile: string };
  const { clerkSecretKey } = JSON.parse(readFileSync(stateFile, "utf8")) as { clerkSecretKey: string };
  const lock = JSON.parse(readFileSync(dataDirLockFile(dataDir), "utf8"));
  assert.deepEqual([lock.pid, lock.command, lock.url], [dev.pid, "dev", services.DATABASE_URL], "dev records where it serves the folder");

  const env = { CLERK_RESYNC_PGLITE_DIR: dataDir, CLERK_API_URL: services.CLERK_API_URL, CLERK_SECRET_KEY: clerkSecretKey, CLERK_RESYNC_SIDECAR_DIR: sidecarDir };
  const db = await connectDatabase(services.DATABASE_URL!, true);
  try {
    const synced = await runCli(["resync"], env);
    assert.equal(synced.code, 0, synced.stderr);
    await addOrgLocalData(db);
    const before = await tableDump(db);
    assert.equal(before.users?.length, 30);

    const reset = await runCli(["reset"], env);
    assert.equal(reset.code, 1, reset.stderr);
    assert.match(reset.stderr, /error: db:reset of an embedded database served by another process \(`pnpm dev`\?\) cannot switch its data folder\. Stop that process, then run pnpm db:reset \(it opens the folder itself\); nothing was changed\n/);
    assert.deepEqual(await tableDump(db), before, "dev's database is untouched");
  } finally {
    await db.close();
  }
  dev.kill("SIGINT");
  assert.equal(await exited, 0, stderr);
  assert.equal(existsSync(dataDirLockFile(dataDir)), false, "dev released the folder");

  // The folder reopens whole once dev is gone.
  const reopened = await startEmbeddedPostgres(dataDir);
  const check = await connectDatabase(reopened.url, true);
  try {
    assert.equal((await tableDump(check)).users?.length, 30);
  } finally {
    await check.close();
    await reopened.stop();
  }
});

test("a folder held by another command is refused in one line; a dead holder's lock is taken over and released", { timeout: 120_000 }, async () => {
  const dataDir = newFolder();
  const lockFile = dataDirLockFile(dataDir);
  writeFileSync(lockFile, JSON.stringify({ pid: process.pid, command: "db:reset", started: "2026-05-12T10:00:00Z" }));
  const refused = await runCli(["migrate"], { CLERK_RESYNC_PGLITE_DIR: dataDir });
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr.split("\n").filter((l) => l.startsWith("error:")).join("\n"),
    `error: The embedded database (${dataDir}) is in use by another process (db:reset, pid ${process.pid}, started 2026-05-12T10:00:00Z): wait for it to finish or stop it, or set DATABASE_URL to use another database`,
  );
  assert.equal(existsSync(dataDir), false, "the folder was never opened");

  const gone = spawn(process.execPath, ["-e", ""]);
  await new Promise((r) => gone.on("close", r));
  writeFileSync(lockFile, JSON.stringify({ pid: gone.pid, command: "db:reset", started: "2026-05-12T10:00:00Z" }));
  const migrated = await runCli(["migrate"], { CLERK_RESYNC_PGLITE_DIR: dataDir });
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.equal(existsSync(lockFile), false, "released on exit");
});

test("Ctrl-C releases the folder: the interrupted command ends as by the signal and leaves no lock", { timeout: 120_000 }, async () => {
  const dataDir = newFolder();
  const migrated = await runCli(["migrate"], { CLERK_RESYNC_PGLITE_DIR: dataDir });
  assert.equal(migrated.code, 0, migrated.stderr);
  const emu = await startTestEmulator({ users: 3, seed: 2 });
  emu.faults.set([{ route: "GET /instance", latencyMs: 8_000 }]);
  try {
    const child = spawn(process.execPath, [CLI, "resync"], {
      cwd: ROOT,
      env: { ...childEnv(), CLERK_RESYNC_PGLITE_DIR: dataDir, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, LOG_LEVEL: "silent" },
      stdio: "ignore",
    });
    const closed = new Promise<[number | null, string | null]>((resolve) => child.on("close", (code, signal) => resolve([code, signal])));
    const lockFile = dataDirLockFile(dataDir);
    while (!existsSync(lockFile) || emu.stats.requests === 0) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGINT");
    assert.deepEqual(await closed, [null, "SIGINT"]);
    assert.equal(existsSync(lockFile), false);
  } finally {
    await emu.close();
  }
});

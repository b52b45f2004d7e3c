// `pnpm dev` as people use it: it brings the services up with the emulator's users already in the
// database, tells other shells where everything is through a 0600 state file (never printing the
// key), and leaves nothing behind: Ctrl-C, `kill -TERM <dev pid>` and `kill <pnpm pid>` all end
// with its ports free and the database released.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { secretKeyForSeed } from "../../src/clerk-emulator/ids.ts";
import { isAlive } from "../../src/db/lock-file.ts";
import { CLI, runCli, childEnv } from "../support/cli.ts";
import { prismaClient } from "../support/prisma-client.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "../support/database.ts";

let t: TestDatabase;
/** Every dev started, so a failed test leaves none running. */
const children: ChildProcess[] = [];
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await t.close();
});

interface DevLine {
  services: Record<string, string>;
  stateFile: string;
  loaded?: string;
}

/** Starts `command args` and resolves with dev's first JSON line, the child, and its output so far. */
async function startDev(command: string, args: string[], env: Record<string, string | undefined>) {
  const child = spawn(command, args, { cwd: ROOT, env: { ...childEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const output = { stdout: "", stderr: "" };
  child.stderr!.on("data", (d) => (output.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const line = await Promise.race([
    new Promise<string>((resolve) =>
      child.stdout!.on("data", (d) => {
        output.stdout += d;
        const first = output.stdout.split("\n").find((l) => l.startsWith("{"));
        if (first && output.stdout.includes(`${first}\n`)) resolve(first);
      }),
    ),
    exited.then((code) => Promise.reject(new Error(`dev exited early (${code}): ${output.stderr}`))),
  ]);
  return { child, exited, output, dev: JSON.parse(line) as DevLine };
}

/** True when nothing listens on the port any more: a listener of our own binds it. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

async function waitUntil(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

const portOf = (url: string) => Number(new URL(url).port);
const newDir = () => mkdtempSync(path.join(tmpdir(), "clerk-resync-dev-"));

test("pnpm dev brings the services up with the emulator's users loaded, never prints the key, and stops cleanly on Ctrl-C", { timeout: 90_000 }, async () => {
  const dir = newDir();
  const { child, exited, output, dev } = await startDev(process.execPath, [CLI, "dev", "--json", "--users", "12", "--orgs", "2", "--emulator-port", "0"], {
    DATABASE_URL: t.url,
    CLERK_RESYNC_DEV_STATE: path.join(dir, "dev-state.json"),
    CLERK_RESYNC_SIDECAR_DIR: dir,
    LOG_LEVEL: "info",
  });
  assert.equal(dev.services.CLERK_SECRET_KEY, undefined, "the key is not printed");
  assert.equal(dev.stateFile, path.join(dir, "dev-state.json"));
  assert.match(dev.loaded ?? "", /^the emulator's 12 users, 2 organizations and \d+ memberships are in the database \(\d+ created/);
  assert.equal(statSync(dev.stateFile).mode & 0o777, 0o600, "the state file is its owner's only");
  const state = JSON.parse(readFileSync(dev.stateFile, "utf8")) as { pid: number; clerkSecretKey: string; clerkApiUrl: string; databaseUrl: string };
  assert.deepEqual([state.pid, state.clerkSecretKey, state.clerkApiUrl, state.databaseUrl], [child.pid, secretKeyForSeed(1), dev.services.CLERK_API_URL, t.url], "the same key on every start: .env stays valid");
  const res = await fetch(`${dev.services.CLERK_API_URL}/v1/users/count`, { headers: { Authorization: `Bearer ${state.clerkSecretKey}` } });
  assert.deepEqual(await res.json(), { object: "total_count", total_count: 12 });
  assert.equal(await (await prismaClient(t.db)).user.count(), 12, "the emulator's users are in the database");
  assert.ok((await (await prismaClient(t.db)).mcpServer.count()) > 0, "seeded");
  child.kill("SIGINT");
  assert.equal(await exited, 0, output.stderr);
  assert.ok(!`${output.stdout}${output.stderr}`.includes(secretKeyForSeed(1)), "the key appears nowhere in dev's output");
  assert.equal(existsSync(dev.stateFile), false, "the state file goes with dev");
});

test("two shells: dev (embedded database) in one, resync with no environment in another finds it; kill -TERM <dev pid> frees both ports", { timeout: 180_000 }, async () => {
  const dir = newDir();
  const stateFile = path.join(dir, "dev-state.json");
  const { child, exited, output, dev } = await startDev(process.execPath, [CLI, "dev", "--json", "--users", "15", "--orgs", "3", "--db-port", "0", "--emulator-port", "0"], {
    CLERK_RESYNC_PGLITE_DIR: path.join(dir, "pglite"),
    CLERK_RESYNC_DEV_STATE: stateFile,
    CLERK_RESYNC_SIDECAR_DIR: dir,
    LOG_LEVEL: "silent",
  });
  // The second shell sets neither DATABASE_URL nor CLERK_SECRET_KEY (only where the state file is,
  // which is .data/dev-state.json by default).
  const second = await runCli(["resync", "--json"], { CLERK_RESYNC_DEV_STATE: stateFile, CLERK_RESYNC_SIDECAR_DIR: dir });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, new RegExp(`DATABASE_URL not set: using the database of \`pnpm dev\` \\(pid ${child.pid}, ${stateFile}\\)`));
  assert.match(second.stderr, new RegExp(`CLERK_SECRET_KEY not set: using the Clerk emulator of \`pnpm dev\` \\(pid ${child.pid}, .*\\) at ${dev.services.CLERK_API_URL}`));
  const report = JSON.parse(second.stdout.split("\n")[0]!) as { users: { created: number; unchanged: number } };
  assert.deepEqual([report.users.created, report.users.unchanged], [0, 15], "dev had loaded the emulator's users already");

  process.kill(child.pid!, "SIGTERM");
  assert.equal(await exited, 0, output.stderr);
  assert.ok(await portIsFree(portOf(dev.services.DATABASE_URL!)), "the database port is free");
  assert.ok(await portIsFree(portOf(dev.services.CLERK_API_URL!)), "the emulator port is free");
  assert.equal(existsSync(stateFile), false);
  const after = await runCli(["resync", "--check"], { CLERK_RESYNC_DEV_STATE: stateFile, CLERK_RESYNC_PGLITE_DIR: path.join(dir, "pglite") });
  assert.equal(after.code, 1);
  assert.match(after.stderr, /^error: CLERK_SECRET_KEY is not set/m, "with dev gone, nothing is borrowed");
});

test("kill <pnpm pid>: pnpm passes nothing on, yet dev notices its parent is gone and frees its ports", { timeout: 180_000 }, async () => {
  const dir = newDir();
  const stateFile = path.join(dir, "dev-state.json");
  const started = await startDev("pnpm", ["--silent", "dev", "--json", "--users", "5", "--orgs", "1", "--db-port", "0", "--emulator-port", "0"], {
    CLERK_RESYNC_PGLITE_DIR: path.join(dir, "pglite"),
    CLERK_RESYNC_DEV_STATE: stateFile,
    CLERK_RESYNC_SIDECAR_DIR: dir,
    LOG_LEVEL: "silent",
  });
  const pnpm: ChildProcess = started.child;
  const devPid = (JSON.parse(readFileSync(stateFile, "utf8")) as { pid: number }).pid;
  assert.notEqual(devPid, pnpm.pid, "dev runs in pnpm's child");
  pnpm.kill("SIGTERM");
  try {
    assert.ok(await waitUntil(() => !isAlive(devPid), 15_000), "dev ended with its parent");
  } finally {
    if (isAlive(devPid)) process.kill(devPid, "SIGKILL");
  }
  await started.exited;
  assert.ok(await portIsFree(portOf(started.dev.services.DATABASE_URL!)), "the database port is free");
  assert.ok(await portIsFree(portOf(started.dev.services.CLERK_API_URL!)), "the emulator port is free");
  assert.equal(existsSync(stateFile), false);
});

// Issue 26: a password-protected DATABASE_URL, a Clerk secret key and a webhook signing secret go
// through every command, at LOG_LEVEL=trace, as text and as --json, on success and on failure;
// none of them may appear in any output or in any file the tool writes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { webhookSecretFor } from "../../src/clerk-emulator/webhook-sender.ts";
import { addOrgLocalData } from "../../src/demo/sample-data.ts";
import { pgConfigFromUrl } from "../../src/db/pg-config.ts";
import { CLI, runCli, type CliRun, childEnv } from "../support/cli.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { onFirstPassOnly } from "../support/passes.ts";
import { startWrongPasswordServer } from "../support/wrong-password-server.ts";

// Characters that must be percent-encoded in a URL, and a random part no other text can contain.
const PASSWORD = `p@ss:w/rd#%?&=+é-${randomBytes(6).toString("hex")}`;
const ENCODED = encodeURIComponent(PASSWORD);
const ROLE = `clerk_resync_leak_${randomBytes(4).toString("hex")}`;
const SEED = 41;

let t: TestDatabase;
let emu: RunningEmulator;
let databaseUrl: string;
const work = mkdtempSync(path.join(tmpdir(), "clerk-resync-no-secrets-"));
const WEBHOOK_SECRET = webhookSecretFor(SEED);

/** Every spelling of a secret that would count as a leak. */
function forbidden(): Record<string, string> {
  return {
    password: PASSWORD,
    "percent-encoded password": ENCODED,
    "password's random part": PASSWORD.slice(-12),
    "Clerk secret key": emu.secretKey,
    "Clerk secret key's body": emu.secretKey.slice("sk_test_".length),
    "webhook signing secret": WEBHOOK_SECRET,
    "signing secret's body": WEBHOOK_SECRET.slice("whsec_".length),
  };
}

function assertNoSecret(text: string, where: string): void {
  for (const [name, value] of Object.entries(forbidden())) {
    assert.ok(!text.includes(value), `${name} leaked in ${where}:\n${text.slice(Math.max(0, text.indexOf(value) - 300), text.indexOf(value) + 300)}`);
  }
}

before(async () => {
  if (onFirstPassOnly) return;
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 12, orgs: 3, membershipsPerOrg: 3, seed: SEED });
  const u = new URL(t.url);
  if (t.kind === "postgres") {
    // A role of its own with the password (the test cluster trusts loopback logins, so the server
    // does not check it; what matters here is that the tool carries it everywhere and shows it nowhere).
    const admin = new pg.Client(pgConfigFromUrl(t.url));
    await admin.connect();
    await admin.query(`CREATE ROLE "${ROLE}" LOGIN SUPERUSER PASSWORD '${PASSWORD.replaceAll("'", "''")}'`);
    await admin.end();
    u.username = ROLE;
  }
  // PGlite's socket server accepts any password: the URL carries it all the same.
  u.password = ENCODED;
  databaseUrl = u.toString();
  assert.ok(databaseUrl.includes(`:${ENCODED}@`), databaseUrl);
});
after(async () => {
  if (onFirstPassOnly) return;
  await emu.close();
  await t.close();
  if (t.kind === "postgres") {
    const admin = new pg.Client(pgConfigFromUrl(process.env.TEST_DATABASE_URL!));
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS "${ROLE}"`);
    await admin.end();
  }
});

function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    LOG_LEVEL: "trace",
    DATABASE_URL: databaseUrl,
    CLERK_SECRET_KEY: emu.secretKey,
    CLERK_API_URL: emu.url,
    CLERK_WEBHOOK_SIGNING_SECRET: WEBHOOK_SECRET,
    CLERK_RESYNC_SIDECAR_DIR: path.join(work, "backups"),
    CLERK_RESYNC_TEAM_SIDECAR: path.join(work, "team.json"),
    CLERK_RESYNC_PGLITE_DIR: path.join(work, "pglite"),
    ...extra,
  };
}

/** Runs a command as text and as --json; both must be clean. Returns the runs for further checks. */
async function both(args: string[], extra: Record<string, string | undefined> = {}): Promise<CliRun[]> {
  const runs: CliRun[] = [];
  for (const json of [false, true]) {
    const argv = json ? [...args, "--json"] : args;
    const run = await runCli(argv, env(extra));
    assertNoSecret(run.stdout, `stdout of ${argv.join(" ")}`);
    assertNoSecret(run.stderr, `stderr of ${argv.join(" ")}`);
    runs.push(run);
  }
  return runs;
}

/** A long-running command (dev, webhooks): started, read until `ready`, stopped with Ctrl-C. */
function runUntilReady(args: string[], ready: RegExp): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...childEnv(), ...env() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let stopped = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    // Both print their ready line just before they listen for SIGINT: a signal sent at once can
    // land first and kill them outright, so it waits a moment.
    const stopWhenReady = () => {
      if (stopped || !ready.test(stdout + stderr)) return;
      stopped = true;
      setTimeout(() => child.kill("SIGINT"), 500);
    };
    child.stdout.on("data", (d) => {
      stdout += d;
      stopWhenReady();
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      stopWhenReady();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (!stopped) reject(new Error(`${args.join(" ")} exited (${code}) before it was ready:\n${stderr}`));
      else resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

test("every command, as text and --json, at LOG_LEVEL=trace: no password, key or signing secret in any output or file", { skip: onFirstPassOnly, timeout: 900_000 }, async () => {
  let logLines = 0;
  const count = (runs: CliRun[]) => runs.forEach((r) => (logLines += r.stderr.split("\n").filter((l) => /^\{"level":\d+/.test(l)).length));

  for (const runs of [await both(["migrate"]), await both(["seed"]), await both(["bootstrap"])]) {
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    count(runs);
  }
  await addOrgLocalData(t.db);
  for (const args of [["resync"], ["resync", "--dry-run"], ["resync", "--check"], ["backup"], ["backup", "--share"], ["restore"], ["restore", path.join(work, "team.json")]]) {
    const runs = await both(args);
    for (const run of runs) assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
    count(runs);
  }
  // A PGlite served by this test cannot be reset from a child process: that refusal is checked too.
  const resetRuns = await both(["reset"]);
  for (const run of resetRuns) assert.equal(run.code, t.kind === "postgres" ? 0 : 1, run.stderr);
  if (t.kind === "postgres") count([...(await both(["reset", "--undo"])).slice(0, 1)]);
  count(resetRuns);
  const forced = await both(["reset-force", "--yes"]);
  for (const run of forced) assert.equal(run.code, 0, run.stderr);
  const demo = await both(["demo", "--users", "20", "--orgs", "2"]);
  for (const run of demo) assert.equal(run.code, 0, run.stderr);

  // dev shows the database URL (other shells use it) with the password as ****.
  const dev = await runUntilReady(["dev"], /watching Clerk every/);
  assertNoSecret(dev.stdout + dev.stderr, "dev");
  assert.equal(dev.code, 0, dev.stderr);
  assert.ok(dev.stdout.includes(`DATABASE_URL=${databaseUrl.replace(`:${ENCODED}@`, ":****@")}`), dev.stdout);
  const devJson = await runUntilReady(["dev", "--json"], /watching Clerk every/);
  assertNoSecret(devJson.stdout + devJson.stderr, "dev --json");
  assert.equal(JSON.parse(devJson.stdout.split("\n")[0]!).services.DATABASE_URL, databaseUrl.replace(`:${ENCODED}@`, ":****@"));

  for (const json of [false, true]) {
    const hooks = await runUntilReady(["webhooks", "--port", "0", ...(json ? ["--json"] : [])], /\n/);
    assertNoSecret(hooks.stdout + hooks.stderr, "webhooks");
    assert.equal(hooks.code, 0, hooks.stderr);
  }

  const written = filesUnder(work);
  assert.ok(written.some((f) => path.basename(f).startsWith("backup-")) && written.includes(path.join(work, "team.json")), `backups were written: ${written.join(", ")}`);
  for (const file of written) assertNoSecret(readFileSync(file, "latin1") + readFileSync(file, "utf8"), file);
  assert.ok(logLines >= 5, `log lines (every level up to trace) were written and checked: ${logLines}`);
});

test("failures keep them out too: unreachable database, refused login, bad configuration, unreachable Clerk, a missing file", { skip: onFirstPassOnly, timeout: 600_000 }, async () => {
  const server = await startWrongPasswordServer();
  const { port } = server;
  const every = [["resync"], ["backup"], ["restore", path.join(work, "team.json")], ["seed"], ["migrate"], ["bootstrap"], ["reset"], ["reset-force", "--yes"], ["webhooks", "--port", "0"], ["dev", "--emulator-port", "0"]];
  // A bad configuration is refused before any command runs: two commands are enough there.
  const failing: [string, Record<string, string | undefined>, RegExp, string[][]][] = [
    ["connection refused", { DATABASE_URL: `postgresql://app:${ENCODED}@127.0.0.1:1/app` }, /connection refused/, every],
    ["login refused", { DATABASE_URL: `postgresql://app:${ENCODED}@127.0.0.1:${port}/app` }, /refused the login/, every],
    ["not a postgres URL", { DATABASE_URL: `mysql://app:${ENCODED}@127.0.0.1/app` }, /DATABASE_URL must be a postgresql:\/\/ URL/, [["resync"], ["dev"]]],
    ["a key of the wrong shape", { CLERK_SECRET_KEY: `pk_${PASSWORD}` }, /CLERK_SECRET_KEY must look like sk_test_/, [["resync"], ["dev"]]],
  ];
  try {
    for (const [what, extra, expected, commands] of failing) {
      for (const args of commands) {
        for (const run of await both(args, extra)) {
          assert.equal(run.code, 1, `${what}, ${args.join(" ")}: ${run.stderr}`);
          assert.match(run.stderr, expected, `${what}, ${args.join(" ")}`);
        }
      }
    }
  } finally {
    server.close();
  }
  const clerkDown = await both(["resync"], { CLERK_API_URL: "http://127.0.0.1:1" });
  for (const run of clerkDown) assert.match(run.stderr, /Cannot reach the Clerk API at http:\/\/127\.0\.0\.1:1/);
  const missing = await both(["restore", path.join(work, "no-such.json")]);
  for (const run of missing) assert.match(run.stderr, /no-such\.json does not exist/);
  assert.match(missing[1]!.stdout, /"error":/, "--json reports the error on stdout too");
});

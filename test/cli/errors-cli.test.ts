// Every command that opens the database says in one line what to do when it cannot, and changes
// nothing; the same for an unreachable Clerk. Real CLI processes.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { tableDump } from "../../src/demo/sample-data.ts";
import { connectDatabase } from "../../src/db/database.ts";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres.ts";
import { pgConfigFromUrl } from "../../src/db/pg-config.ts";
import { seedDefaults } from "../../examples/seed-app/prisma/seed-defaults.ts";
import { runCli } from "../support/cli.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { resync } from "../support/sync.ts";
import { startWrongPasswordServer } from "../support/wrong-password-server.ts";
import { onFirstPassOnly } from "../support/passes.ts";

let t: TestDatabase;
let emu: RunningEmulator;
const work = mkdtempSync(path.join(tmpdir(), "clerk-resync-errors-"));
const sidecarFile = path.join(work, "backup.json");

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 10, orgs: 2, membershipsPerOrg: 2, seed: 9 });
  await seedDefaults(t.db);
  await resync(emu, t.db);
  // A valid sidecar, so db:restore gets as far as the database.
  const made = await runCli(["backup", "--out", sidecarFile], { DATABASE_URL: t.url, CLERK_RESYNC_SIDECAR_DIR: work });
  assert.equal(made.code, 0, made.stderr);
});
after(async () => {
  await emu.close();
  await t.close();
});

/** Every command that opens the database, with the arguments it needs to get that far. */
const DB_COMMANDS = [["resync"], ["reset"], ["backup"], ["restore", sidecarFile], ["seed"], ["migrate"], ["bootstrap"]];

function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("error:"));
}

async function everyCommandSays(databaseUrl: string, expected: RegExp): Promise<void> {
  const env = { DATABASE_URL: databaseUrl, CLERK_SECRET_KEY: emu.secretKey, CLERK_API_URL: emu.url, CLERK_RESYNC_SIDECAR_DIR: work, CLERK_RESYNC_TEAM_SIDECAR: sidecarFile };
  const runs = await Promise.all(DB_COMMANDS.map((args) => runCli(args, env)));
  for (const [i, run] of runs.entries()) {
    assert.equal(run.code, 1, `${DB_COMMANDS[i]!.join(" ")}: ${run.stderr}`);
    const lines = errorLines(run.stderr);
    assert.equal(lines.length, 1, `${DB_COMMANDS[i]!.join(" ")}: ${run.stderr}`);
    assert.match(lines[0]!, expected, DB_COMMANDS[i]!.join(" "));
  }
}

test("connection refused: start PostgreSQL, or unset DATABASE_URL for the embedded one", { skip: onFirstPassOnly, timeout: 120_000 }, async () => {
  await everyCommandSays(
    "postgresql://app@127.0.0.1:1/app",
    /^error: Cannot connect to the database at 127\.0\.0\.1:1\/app \(connection refused\): start PostgreSQL, or remove DATABASE_URL from \.env to use the embedded database; nothing was changed$/,
  );
});

test("wrong password (28P01): check DATABASE_URL in .env", { timeout: 120_000 }, async () => {
  const server = await startWrongPasswordServer();
  const { port } = server;
  try {
    await everyCommandSays(
      `postgresql://app:wrong@127.0.0.1:${port}/app`,
      new RegExp(`^error: The database at 127\\.0\\.0\\.1:${port}/app refused the login \\(password authentication failed\\): check the user and password in DATABASE_URL in \\.env; nothing was changed$`),
    );
  } finally {
    server.close();
  }
});

test("a database that does not exist (3D000): create it or fix DATABASE_URL", { timeout: 120_000 }, async (ctx) => {
  if (t.kind !== "postgres") return ctx.skip("PGlite serves one database whatever the name; needs TEST_DATABASE_URL");
  const u = new URL(t.url);
  u.pathname = "/clerk_resync_no_such_db";
  await everyCommandSays(
    u.toString(),
    /^error: Database "clerk_resync_no_such_db" does not exist at 127\.0\.0\.1:\d+\/clerk_resync_no_such_db: create it \(`createdb clerk_resync_no_such_db`\) or fix DATABASE_URL in \.env; nothing was changed$/,
  );
});

test("a database never migrated (42P01): run pnpm db:migrate; nothing written", { timeout: 120_000 }, async () => {
  // An empty database of its own: a fresh PostgreSQL database, or an in-memory PGlite.
  let url: string;
  let drop: () => Promise<void>;
  if (t.kind === "postgres") {
    const u = new URL(t.url);
    u.pathname = `/${u.pathname.slice(1)}_empty`;
    const admin = new pg.Client(pgConfigFromUrl(t.url));
    await admin.connect();
    await admin.query(`CREATE DATABASE "${u.pathname.slice(1)}"`);
    url = u.toString();
    drop = async () => {
      await admin.query(`DROP DATABASE "${u.pathname.slice(1)}" WITH (FORCE)`);
      await admin.end();
    };
  } else {
    const embedded = await startEmbeddedPostgres();
    url = embedded.url;
    drop = () => embedded.stop();
  }
  try {
    const env = { DATABASE_URL: url, CLERK_SECRET_KEY: emu.secretKey, CLERK_API_URL: emu.url, CLERK_RESYNC_SIDECAR_DIR: work };
    for (const args of [["resync"], ["backup"], ["restore", sidecarFile], ["seed"]]) {
      const run = await runCli(args, env);
      assert.equal(run.code, 1, run.stderr);
      assert.deepEqual(errorLines(run.stderr), [`error: The database at ${new URL(url).host}${new URL(url).pathname} has no clerk-resync tables (never migrated): run \`pnpm db:migrate\`; nothing was changed`], args.join(" "));
    }
    const db = await connectDatabase(url, false);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    await db.close();
    assert.equal(rows[0].n, 0, "still empty");
  } finally {
    await drop();
  }
});

test("Clerk unreachable: the line names CLERK_API_URL and why; the database is unchanged", { timeout: 120_000 }, async () => {
  const before = await tableDump(t.db);
  for (const [apiUrl, why] of [["http://127.0.0.1:1", "ECONNREFUSED"], ["http://clerk-resync.invalid", "ENOTFOUND"]] as const) {
    // A PGlite served by another process cannot be reset at all (its folder is that process's): that refusal comes first.
    for (const command of t.kind === "postgres" ? ["resync", "reset"] : ["resync"]) {
      const run = await runCli([command], { DATABASE_URL: t.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_API_URL: apiUrl, CLERK_RESYNC_SIDECAR_DIR: work });
      assert.equal(run.code, 1, run.stderr);
      assert.deepEqual(errorLines(run.stderr), [
        `error: Cannot reach the Clerk API at ${apiUrl} (${why}): check CLERK_API_URL in .env (unset means https://api.clerk.com) and the network, or start the emulator (\`pnpm clerk:emulator\`)`,
      ]);
    }
  }
  assert.deepEqual(await tableDump(t.db), before);
});

test("paths typed by the user resolve where they typed them (INIT_CWD); a failed write leaves no temp file", { timeout: 120_000 }, async () => {
  const userDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-initcwd-"));
  const env = { DATABASE_URL: t.url, CLERK_RESYNC_SIDECAR_DIR: work, INIT_CWD: userDir };
  const backup = await runCli(["backup", "--out", "./mine.json"], env);
  assert.equal(backup.code, 0, backup.stderr);
  assert.ok(readdirSync(userDir).includes("mine.json"), backup.stdout);
  const restore = await runCli(["restore", "mine.json"], env);
  assert.equal(restore.code, 0, restore.stderr);

  mkdirSync(path.join(userDir, "taken.json", "inside"), { recursive: true });
  const failed = await runCli(["backup", "--out", "taken.json"], env);
  assert.equal(failed.code, 1);
  assert.deepEqual(readdirSync(userDir).filter((f) => f.endsWith(".tmp")), [], "no temp file left");
});

// The test command: prepares the database the suite runs on, then runs node's test runner.
// TEST_DATABASE_URL set (a real PostgreSQL, admin rights): a template database is migrated once
// here with the real `prisma migrate deploy`; each test clones it. Unset: each test starts its own
// in-memory PGlite.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { runPrismaCliOrThrow } from "../src/db/prisma-cli.ts";
import { pgConfigFromUrl } from "../src/db/pg-config.ts";
import { ROOT, TEMPLATE_DB } from "../test/support/database.ts";

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return findTests(p);
    return d.name.endsWith(".test.ts") ? [p] : [];
  });
}

async function prepareTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client(pgConfigFromUrl(adminUrl));
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${TEMPLATE_DB}`;
  await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: u.toString(), cwd: ROOT });
}

const filter = process.argv.slice(2);
const files = findTests(path.join(ROOT, "test"))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
const adminUrl = process.env.TEST_DATABASE_URL;
if (adminUrl) await prepareTemplate(adminUrl);
process.stderr.write(`database under test: ${adminUrl ? "PostgreSQL (TEST_DATABASE_URL)" : "PGlite (in memory)"}\n`);

const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", ...files],
  { stdio: "inherit", env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" } },
);
child.on("close", (code) => {
  process.exitCode = code ?? 1;
});

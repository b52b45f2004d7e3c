// The test command: prepares the database the suite runs on, then runs node's test runner.
// TEST_DATABASE_URL set (a real PostgreSQL, admin rights): a template database is migrated once
// here with the real `prisma migrate deploy`; each test clones it. Unset: each test starts its own
// in-memory PGlite.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { dropDatabase, recreateMigratedDatabase } from "../test/support/admin.ts";
import { ROOT } from "../test/support/database.ts";
import { FIRST_PASS_ONLY_FILES } from "../test/support/passes.ts";

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return findTests(p);
    return d.name.endsWith(".test.ts") ? [p] : [];
  });
}

const filter = process.argv.slice(2);
const files = findTests(path.join(ROOT, "test"))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .filter((f) => !process.env.CLERK_RESYNC_SECOND_PASS || !FIRST_PASS_ONLY_FILES.includes(path.relative(ROOT, f)))
  .sort();
// The CLI tests run the bin as it ships (dist/), so it is built from the current sources first
// (CI's second pass runs on the same checkout right after the first, which built it).
if (!process.env.CLERK_RESYNC_SECOND_PASS) execFileSync(process.execPath, [path.join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "inherit" });
const adminUrl = process.env.TEST_DATABASE_URL;
const template = `clerk_resync_test_template_${randomBytes(4).toString("hex")}`;
if (adminUrl) await recreateMigratedDatabase(adminUrl, template, ROOT);
process.stderr.write(`database under test: ${adminUrl ? "PostgreSQL (TEST_DATABASE_URL)" : "PGlite (in memory)"}\n`);

const child = spawn(
  process.execPath,
  ["--import", "tsx", "--import", path.join(ROOT, "test/support/fail-on-warning.ts"), "--test", "--test-concurrency=3", ...files],
  { stdio: "inherit", env: { ...process.env, CLERK_RESYNC_TEST_TEMPLATE: template, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" } },
);
child.on("close", (code) => {
  process.exitCode = code ?? 1;
  if (adminUrl) void dropDatabase(adminUrl, template);
});

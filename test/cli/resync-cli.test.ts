import assert from "node:assert/strict";
import { readdirSync, readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { runCli } from "../support/cli.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";

let t: TestDatabase;
let emu: RunningEmulator;
let env: Record<string, string>;
const sidecarDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-cli-"));

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 40, orgs: 4, membershipsPerOrg: 3, seed: 3 });
  env = { DATABASE_URL: t.url, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: sidecarDir };
});
after(async () => {
  await emu.close();
  await t.close();
});

test("--json prints exactly one JSON object of the documented shape on stdout", async () => {
  const run = await runCli(["resync", "--json"], env);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  assert.equal(lines.length, 1, `stdout: ${run.stdout}`);
  const report = JSON.parse(lines[0]!);
  for (const key of ["dryRun", "users", "organizations", "memberships", "invalid", "requests", "durationMs"]) assert.ok(key in report, key);
  assert.deepEqual(report.users, { created: 40, updated: 0, deleted: 0, unchanged: 0, kept: 0 });
  assert.equal(report.dryRun, false);
  assert.equal(typeof report.requests, "number");
});

test("--check exits 0 when in sync and 2 on drift, writing nothing", async () => {
  const clean = await runCli(["resync", "--check"], env);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /In sync\./);
  emu.store.createUser({ emailAddresses: ["check@example.com"] });
  const drift = await runCli(["resync", "--check", "--json"], env);
  assert.equal(drift.code, 2, drift.stderr);
  assert.equal(JSON.parse(drift.stdout).users.created, 1);
  const count = await t.db.pool.query(`SELECT count(*)::int AS n FROM "User"`);
  assert.equal(count.rows[0].n, 40, "check wrote nothing");
});

test("human output is a table per entity", async () => {
  const run = await runCli(["resync", "--dry-run"], env);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Plan \(dry run, nothing written\)/);
  assert.match(run.stdout, /users\s+1\s+0\s+0\s+40/);
});

test("a production key is refused before any request unless --allow-production", async () => {
  emu.resetStats();
  const run = await runCli(["resync"], { ...env, CLERK_SECRET_KEY: "sk_live_abcdefghijklmnop123456" });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /production key \(sk_live_…\).*--allow-production/);
  assert.equal(emu.stats.requests, 0);
  assert.ok(!run.stderr.includes("abcdefghijklmnop123456"));
});

test("a wrong key fails with a one-line reason and the key appears nowhere", async () => {
  const secret = "sk_test_ThisIsNotTheRightKey0123456789";
  const run = await runCli(["resync", "--json"], { ...env, CLERK_SECRET_KEY: secret, LOG_LEVEL: "debug" });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /error: Clerk rejected CLERK_SECRET_KEY \(401 clerk_key_invalid\)/);
  assert.equal(JSON.parse(run.stdout).error.name, "ConfigError");
  for (const text of [run.stdout, run.stderr]) assert.ok(!text.includes("ThisIsNotTheRightKey"), text);
});

test("the configured key never reaches logs, output or written files", async () => {
  // Prune an org with org-local data so a sidecar file is written too.
  const org = [...emu.store.organizations.values()][0]!;
  await t.db.prisma.prompt.create({ data: { organizationId: org.id, name: "p", content: `token ${emu.secretKey}` } });
  emu.store.deleteOrganization(org.id);
  const run = await runCli(["resync"], { ...env, LOG_LEVEL: "trace" });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Local data of deleted users, organizations and memberships saved to/);
  const secretPart = emu.secretKey.slice("sk_test_".length);
  for (const text of [run.stdout, run.stderr]) assert.ok(!text.includes(secretPart));
  const files = readdirSync(sidecarDir);
  assert.ok(files.some((f) => f.startsWith("pruned-")), files.join());
  for (const f of files) assert.ok(!readFileSync(path.join(sidecarDir, f), "utf8").includes(secretPart), f);
});

test("bad configuration names the variable and the fix; unknown flags are usage errors", async () => {
  const bad = await runCli(["resync"], { ...env, CLERK_SECRET_KEY: "pk_test_publishable" });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /CLERK_SECRET_KEY must look like sk_test_/);
  const usage = await runCli(["resync", "--frobnicate"], env);
  assert.equal(usage.code, 64);
});

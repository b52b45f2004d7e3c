import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { Ajv } from "ajv";
import { CLI, runCli, childEnv } from "../support/cli.ts";
import { ROOT, createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { prismaClient } from "../support/prisma-client.ts";

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

test("--check exits 0 when in sync and 2 on drift, writing nothing; --json says which as drift", async () => {
  const clean = await runCli(["resync", "--check"], env);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /In sync\./);
  const cleanJson = await runCli(["resync", "--check", "--json"], env);
  assert.equal(JSON.parse(cleanJson.stdout).drift, false);
  emu.store.createUser({ emailAddresses: ["check@example.com"] });
  const drift = await runCli(["resync", "--check", "--json"], env);
  assert.equal(drift.code, 2, drift.stderr);
  assert.equal(JSON.parse(drift.stdout).users.created, 1);
  assert.equal(JSON.parse(drift.stdout).drift, true);
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
  await (await prismaClient(t.db)).prompt.create({ data: { organizationId: org.id, name: "p", content: `token ${emu.secretKey}` } });
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

const hasScript = spawnSync("script", ["--version"]).status === 0;

test("--dry-run on a TTY lists the changes with changed fields, a few per entity", { skip: !hasScript && "needs script(1) for a pseudo-terminal" }, async () => {
  await runCli(["resync"], env);
  const users = [...emu.store.users.values()];
  for (const [i, u] of users.slice(0, 23).entries()) emu.store.updateUser(u.id, { firstName: `Renamed ${i}` });
  emu.store.updateUser(users[0]!.id, { publicMetadata: { plan: "pro" } });
  // script(1) gives the CLI a pseudo-terminal for stdout and stderr (spawned, not spawnSync: the emulator answers from this process).
  const child = spawn("script", ["-qec", `${process.execPath} ${CLI} resync --dry-run`, "/dev/null"], {
    cwd: ROOT,
    env: { ...childEnv(), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0, out);
  out = out.replace(/\r/g, "");
  assert.match(out, /Changes \(\+ create, ~ update, - delete, = kept\):/);
  assert.match(out, new RegExp(`~ user ${users[0]!.id}  \\S+\n      firstName: "[^"]*" → "Renamed 0"\n      publicMetadata: .* → \\{"plan":"pro"\\}`));
  assert.match(out, /updatedAt: \d{4}-\d\d-\d\dT[\d:.]+Z → \d{4}-/);
  assert.equal(out.match(/^  ~ user /gm)?.length, 20);
  assert.match(out, /… and 3 more users \(--json lists all\)/);
});

test("--json carries every change and matches the published JSON Schema", async () => {
  emu.store.createUser({ emailAddresses: ["schema.new@example.com"], firstName: "Schema" });
  const run = await runCli(["resync", "--dry-run", "--json"], env);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const schema = JSON.parse(readFileSync(path.join(ROOT, "schema/resync-report.schema.json"), "utf8"));
  const validate = new Ajv({ allErrors: true }).compile<Record<string, any>>(schema);
  assert.ok(validate(report), JSON.stringify(validate.errors));
  const total = (["users", "organizations", "memberships"] as const).reduce((n, e) => n + report[e].created + report[e].updated + report[e].deleted + report[e].kept, 0);
  assert.ok(total >= 24);
  assert.equal(report.changes.length, total);
  const created = report.changes.find((c: { op: string; label: string }) => c.op === "create" && c.label === "schema.new@example.com");
  assert.ok(created, "the new user, labelled by email");
  const renamed = report.changes.find((c: { op: string; fields: Record<string, unknown> }) => c.op === "update" && "firstName" in c.fields);
  assert.deepEqual(Object.keys(renamed.fields.firstName), ["old", "new"]);
  // Not tuned to pass: a report missing a field, or with an unknown op, fails the schema.
  assert.equal(validate({ ...report, refusal: undefined }), false);
  assert.equal(validate({ ...report, changes: [{ ...report.changes[0], op: "upsert" }] }), false);
  await runCli(["resync"], env);
});

test("a mass-delete plan: --dry-run and --check print it with the refusal, --check exits 2; a real run exits 1", async () => {
  const doomed = [...emu.store.users.values()].slice(0, 30);
  for (const u of doomed) emu.store.deleteUser(u.id);
  const dry = await runCli(["resync", "--dry-run"], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /- user user_\w+  /);
  assert.match(dry.stdout, /This plan would be refused: Refusing to delete 30 of \d+ users/);
  const check = await runCli(["resync", "--check"], env);
  assert.equal(check.code, 2, check.stderr);
  assert.match(check.stdout, /This plan would be refused: Refusing to delete 30 of/);
  assert.match(check.stdout, /Drift found: see why above/);
  const json = await runCli(["resync", "--check", "--json"], env);
  assert.equal(json.code, 2, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.match(report.refusal, /^Refusing to delete 30 of \d+ users .*--allow-mass-delete/);
  assert.equal(report.changes.filter((c: { entity: string; op: string }) => c.entity === "user" && c.op === "delete").length, 30);
  const real = await runCli(["resync"], env);
  assert.equal(real.code, 1);
  assert.match(real.stderr, /error: Refusing to delete 30 of/);
  const count = await t.db.pool.query(`SELECT count(*)::int AS n FROM "User"`);
  assert.ok(count.rows[0].n >= 30 + emu.store.users.size - 1, "nothing deleted");
});

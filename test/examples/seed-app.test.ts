// examples/seed-app as its developers use it: the reset guide's six `pnpm db:*` scripts, each
// calling the `clerk-resync` bin of the workspace-linked package, plus `clerk:resync` and
// `db:migrate:dev` (Prisma's own `migrate dev`, on PostgreSQL and on the embedded database).
// Run in a copy of the example (its node_modules linked), against the emulator, on the suite's
// database kind: a fresh PostgreSQL database with TEST_DATABASE_URL, else an embedded folder.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { ROOT } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { openExampleApp, type ExampleApp } from "../support/example-app.ts";
import { onFirstPassOnly } from "../support/passes.ts";

let ex: ExampleApp;
let emu: RunningEmulator;

before(async () => {
  emu = await startTestEmulator({ users: 6, orgs: 2, membershipsPerOrg: 2, seed: 52 });
  ex = await openExampleApp(path.join(ROOT, "examples/seed-app"), { CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_REQUESTS_PER_WINDOW: "1000" });
});
after(async () => {
  await emu?.close();
  await ex?.close();
});

const pnpm = (script: string, ...args: string[]) => ex.run(script, ...args);
const ok = (script: string, ...args: string[]) => ex.ok(script, ...args);
const query = (sql: string, params?: unknown[]) => ex.query(sql, params);

const orgPrompts = (orgId: string) => query(`SELECT id, name, content FROM "Prompt" WHERE "organizationId" = $1 ORDER BY id`, [orgId]);
const defaultPrompts = async () => (await query(`SELECT name FROM "Prompt" WHERE "organizationId" IS NULL ORDER BY name`)).map((r) => r.name);
const DEFAULTS = ["draft-reply", "explain-code", "summarize"];
const userIds = async () => (await query(`SELECT id FROM "User" ORDER BY id`)).map((r) => r.id);

// The reset guide's flow is the bin's, on either database kind (test/reset covers both): CI runs it
// on its first pass only. migrate dev below runs on both: on the embedded database it is its own path,
// and on the second pass it meets a database never migrated (it applies the pending ones first).
test("the reset guide's six db:* scripts and clerk:resync, through the linked clerk-resync bin", { skip: onFirstPassOnly, timeout: 600_000 }, async () => {
  await ok("db:migrate");
  assert.match(await ok("db:seed"), /Seeded 3 default prompts, 2 resources, 3 MCP servers\./);
  await ok("clerk:resync");
  const users = await userIds();
  assert.equal(users.length, 6);
  // Org-local data Clerk does not hold, written by the app between two resets.
  const org = [...emu.store.organizations.values()][0]!;
  await query(`INSERT INTO "Prompt" ("organizationId", name, content) VALUES ($1, 'summarize', 'our own'), ($1, 'triage', 'sort the inbox')`, [org.id]);
  const prompts = await orgPrompts(org.id);
  assert.match(await ok("db:backup"), /Backed up \d+ rows .*Prompt 5/);

  assert.match(await ok("db:reset", "--yes"), /complete in/);
  assert.deepEqual(await orgPrompts(org.id), prompts, "the org's prompts come back, ids included");
  assert.deepEqual(await userIds(), users);
  assert.deepEqual(await defaultPrompts(), DEFAULTS, "the seed ran in the new database");
  await ok("clerk:resync", "--check");
  await ok("db:restore");
  assert.deepEqual(await orgPrompts(org.id), prompts, "restoring the latest backup again changes nothing");
  assert.match(await ok("db:seed:prompts"), /Seeded 3 default prompts, 2 resources, 0 MCP servers\./);

  await ok("db:reset:force", "--yes");
  assert.deepEqual(await orgPrompts(org.id), [], "a raw reset loses org-local data, as it warns");
  assert.deepEqual(await defaultPrompts(), DEFAULTS, "and re-seeds the defaults");
  const check = await pnpm("clerk:resync", "--check");
  assert.notEqual(check.code, 0, `after a raw reset the mirror is empty: --check reports drift\n${check.out}`);
  await ok("clerk:resync");
  assert.deepEqual(await userIds(), users);
});

test("db:migrate:dev (prisma migrate dev through clerk-resync) writes the next migration", { timeout: 600_000 }, async () => {
  const schema = path.join(ex.dir, "prisma/schema.prisma");
  writeFileSync(schema, readFileSync(schema, "utf8").replace(/^  content        String$/m, "  content        String\n  pinned         Boolean       @default(false)"));
  await ok("db:migrate:dev", "--name", "add_pinned", "--skip-generate");
  const created = readdirSync(path.join(ex.dir, "prisma/migrations")).find((d) => d.endsWith("_add_pinned"));
  assert.ok(created, "a new migration folder");
  assert.match(readFileSync(path.join(ex.dir, "prisma/migrations", created, "migration.sql"), "utf8"), /ALTER TABLE "Prompt" ADD COLUMN\s+"pinned" BOOLEAN NOT NULL DEFAULT false/);
});

// `clerk-resync init` on four schemas it was not written for: the seed app (clerk-resync's own
// shape: nothing to configure), Int and cuid keys beside Clerk ids (a mapping that works without
// edits: test/mirror/app-models.test.ts resyncs with it), uuid keys with Clerk-id keyed
// organizations (test/mirror/uuid-app.test.ts), and an app not prepared yet (every edit named). The written file loads as the app's configuration.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { loadAppConfig } from "../../src/app-config.ts";
import { guessMapping } from "../../src/init/guess-mapping.ts";
import { parsePrismaModels } from "../../src/init/prisma-schema.ts";
import { mirrorFromMapping } from "../../src/mirror/mapping.ts";
import { ROOT } from "../support/database.ts";
import { APP_MODELS_CONFIG } from "../mirror/app-models-config.ts";
import { APP_MODELS_SCHEMA, UUID_APP } from "../support/app-models-project.ts";

const fixture = (name: string) => readFileSync(path.join(ROOT, "test/fixtures/init", name), "utf8");
const guessFor = (text: string) => guessMapping(parsePrismaModels(text));

test("the seed app is clerk-resync's own shape: no mapping, nothing to do, its org-scoped tables named", () => {
  const guess = guessFor(readFileSync(path.join(ROOT, "examples/seed-app/prisma/schema.prisma"), "utf8"));
  assert.equal(guess.mapping, undefined);
  assert.deepEqual(guess.todo, []);
  assert.deepEqual(guess.models, { users: "User", organizations: "Organization", memberships: "OrganizationMembership" });
  assert.ok(guess.scoped.includes("Prompt belongs to an organization (organizationId → Organization)."), guess.scoped.join("\n"));
  assert.deepEqual(guess.unowned, ["McpServer"], "the catalog the seed makes: named, for the app to classify");
});

test("Int and cuid keys beside Clerk ids, a join model on them: the mapping the app-models test resyncs with, no edits", () => {
  const guess = guessFor(readFileSync(APP_MODELS_SCHEMA, "utf8"));
  assert.deepEqual(guess.todo, []);
  assert.deepEqual(guess.mapping, APP_MODELS_CONFIG.mirror);
  assert.deepEqual(guess.scoped, [
    "Post belongs to a user (authorId → User).",
    "Note.orgId holds a Clerk organization id with no foreign key: the whole table is kept through a reset (`tables` below).",
  ]);
  assert.deepEqual(guess.tables, APP_MODELS_CONFIG.tables);
  assert.deepEqual(guess.unowned, []);
});

test("uuid account keys beside clerkUserId, organizations keyed by their Clerk id, a join model on the uuid: the mapping test/mirror/uuid-app resyncs with, before a person picked metadata values", () => {
  const guess = guessFor(readFileSync(path.join(UUID_APP, "prisma/schema.prisma"), "utf8"));
  assert.deepEqual(guess.todo, []);
  assert.deepEqual(guess.mapping, {
    users: { table: "accounts", clerkId: "clerkUserId", primaryKey: { column: "id", generate: "uuid" }, fields: { email: "email", username: "username", unsafeMetadata: "unsafeMetadata", lastSignInAt: "lastSignInAt" } },
    organizations: { table: "organizations", clerkId: "id", fields: { name: "name", slug: "slug" } },
    memberships: { table: "memberships", clerkId: "id", fields: { userId: "accountId", organizationId: "orgId", role: "role" } },
  });
  assert.deepEqual(guess.scoped, [
    "Invoice belongs to a user (accountId → Account).",
    "OrgSetting.orgId holds a Clerk organization id with no foreign key: the whole table is kept through a reset (`tables` below).",
  ]);
  assert.deepEqual(guess.tables, { OrgSetting: "keep" });
});

test("an app not prepared yet: each edit named (a required column, no membership Clerk id, provenance, bookkeeping tables)", () => {
  const guess = guessFor(fixture("uuid-keys-unprepared.prisma"));
  assert.deepEqual(guess.mapping?.users, { table: "User", clerkId: "clerkUserId", primaryKey: { column: "id", generate: "uuid" }, fields: { email: "email", imageUrl: "avatarUrl", createdAt: "createdAt", updatedAt: "updatedAt" } });
  const todo = guess.todo.join("\n");
  for (const expected of [
    /User\.stripeId is required with no default/,
    /User\.email is required, but a Clerk user may have no email \(one who signed up with a phone or a username\): make it optional \(`String\?`\)/,
    /Membership: no column for the Clerk id\. Add one \(`clerkId String @unique`\)/,
    /User needs the provenance columns clerkUpdatedAt, syncSource, syncedAt/,
    /Organization needs the provenance columns/,
    /Membership needs the provenance columns/,
    /Add the model ClerkSyncState \(copy it from node_modules\/clerk-resync\/prisma\/schema\.prisma\)/,
    /Add the model ClerkTombstone/,
    /Add the model ClerkWebhookDelivery/,
  ]) assert.match(todo, expected);
  assert.equal(guess.todo.length, 9, todo);
  assert.deepEqual(guess.scoped, ["Invoice.orgId holds a Clerk organization id with no foreign key: the whole table is kept through a reset (`tables` below)."]);
  assert.deepEqual(guess.tables, { Invoice: "keep" });
});

function runCli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, "dist/cli.js"), ...args], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test("clerk-resync init writes clerk-resync.config.ts, which loads as the app's mapping; a second init refuses to overwrite it", async () => {
  const app = mkdtempSync(path.join(tmpdir(), "clerk-resync-init-"));
  // As create-next-app writes it: no "type": "module", so the config compiles as CommonJS.
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  mkdirSync(path.join(app, "prisma"));
  writeFileSync(path.join(app, "prisma/schema.prisma"), readFileSync(APP_MODELS_SCHEMA, "utf8"));
  // The config file imports clerk-resync/config, as in an app that installed the package.
  mkdirSync(path.join(app, "node_modules"));
  symlinkSync(ROOT, path.join(app, "node_modules/clerk-resync"));

  const first = await runCli(app, "init");
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /TeamMember\.teamId is the membership's organization \(holding Team\.id, resolved through its Clerk id\)/);
  assert.match(first.stdout, /Next: clerk-resync resync --dry-run/);
  const loaded = await loadAppConfig(app);
  assert.equal(loaded.source, "clerk-resync.config.ts");
  assert.deepEqual(loaded.mirror, mirrorFromMapping(APP_MODELS_CONFIG.mirror));
  assert.deepEqual(loaded.tables, APP_MODELS_CONFIG.tables);

  const again = await runCli(app, "init", "--json");
  assert.equal(again.code, 1);
  assert.match(again.stderr + again.stdout, /clerk-resync\.config\.ts exists: pass --force/);
  const dry = await runCli(app, "init", "--dry-run", "--json");
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual((JSON.parse(dry.stdout) as { mapping: unknown }).mapping, APP_MODELS_CONFIG.mirror);
});

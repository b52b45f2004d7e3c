// A shape clerk-resync was not written for (test/fixtures/uuid-app, config as `init` wrote it and a
// person reviewed it): uuid account keys made on insert beside clerkUserId, organizations keyed by
// their Clerk id, a membership join model on the account's uuid, unsafe metadata kept whole, and
// values picked out of metadata into columns of their own (text, a nested Int, a Boolean). Resync,
// its plan, webhooks, the watcher's users tick and db:reset all hold on it: app ids never move, a
// second run writes nothing, and a reset keeps every row (pg_dump --data-only identical).
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { loadAppConfig } from "../../src/app-config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { ConfigError } from "../../src/errors.ts";
import { mirrorFromMapping } from "../../src/mirror/mapping.ts";
import { serializeMembership, serializeUser } from "../../src/clerk-emulator/serialize.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { webhookSecretFor } from "../../src/clerk-emulator/webhook-sender.ts";
import type { Config } from "../../src/config.ts";
import { createClerkWebhookHandler } from "../../src/live/handler.ts";
import { silentLogger } from "../../src/log.ts";
import { formatMirror } from "../../src/mirror/describe.ts";
import type { Mirror } from "../../src/mirror/columns.ts";
import { RESET_STEPS, runReset, undoReset } from "../../src/reset/run-reset.ts";
import { hasDrift } from "../../src/sync/plan.ts";
import { runUsersTick } from "../../src/watch/users-tick.ts";
import { copyProject, UUID_APP } from "../support/app-models-project.ts";
import { resetInterruptedAt, runCli } from "../support/cli.ts";
import { onFirstPassOnly } from "../support/passes.ts";
import { dataDump, pgDump } from "../support/dump.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { signedEvent, signedRequest } from "../support/signed-event.ts";
import { createResetDatabase, type ResetDatabase } from "../support/reset-database.ts";
import { apiFor, resync } from "../support/sync.ts";

const project = copyProject(UUID_APP);
const sidecarDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-uuid-app-"));
let r: ResetDatabase;
let emu: RunningEmulator;
let mirror: Mirror;
let tables: Config["tables"];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const q = async (sql: string, params: unknown[] = []) => (await (await r.open()).pool.query(sql, params)).rows;
const sync = async (options: Parameters<typeof resync>[2] = {}) => resync(emu, await r.open(), { mirror, sidecarDir, ...options });
const noDrift = async () => {
  const { plan, report } = await sync({ dryRun: true });
  assert.equal(hasDrift(plan), false, JSON.stringify({ users: report.users, orgs: report.organizations, memberships: report.memberships }));
};
const idsByClerkId = async () => Object.fromEntries((await q(`SELECT "clerkUserId", id FROM accounts`)).map((a) => [a.clerkUserId, a.id]));
const account = async (clerkId: string) => (await q(`SELECT plan, seats, onboarded, "unsafeMetadata", nickname FROM accounts WHERE "clerkUserId" = $1`, [clerkId]))[0];

before(async () => {
  // The config file as the CLI loads it (clerk-resync/config through the app's node_modules).
  const app = await loadAppConfig(project);
  mirror = app.mirror!;
  tables = app.tables;
  r = await createResetDatabase({ rootDir: project, empty: true });
  emu = await startTestEmulator({ users: 9, orgs: 3, membershipsPerOrg: 3, seed: 29 });
  const users = [...emu.store.users.values()];
  users.forEach((u, i) => {
    if (i % 3 === 0) emu.store.updateUser(u.id, { publicMetadata: { plan: "pro", limits: { seats: 5 + i } }, unsafeMetadata: { onboarded: true, theme: "dark" } });
    if (i % 3 === 1) emu.store.updateUser(u.id, { publicMetadata: { plan: "free" }, unsafeMetadata: { onboarded: false } });
  });
});
after(async () => {
  await emu?.close();
  await r?.close();
});

test("a resync fills the app's tables: uuid keys made once, memberships on them, picked values cast to their columns; a second run writes nothing", async () => {
  const { report } = await sync();
  assert.deepEqual(report.invalid, []);
  const rows = await q(`SELECT id, "clerkUserId", plan, seats, onboarded, "unsafeMetadata" FROM accounts`);
  assert.equal(rows.length, emu.store.users.size);
  for (const row of rows) {
    assert.match(row.id, UUID, "a uuid made on insert");
    const u = emu.store.users.get(row.clerkUserId)!;
    const pub = u.publicMetadata as { plan?: string; limits?: { seats?: number } };
    const unsafe = u.unsafeMetadata as { onboarded?: boolean };
    assert.deepEqual(
      { plan: row.plan, seats: row.seats, onboarded: row.onboarded, unsafeMetadata: row.unsafeMetadata },
      { plan: pub.plan ?? null, seats: pub.limits?.seats ?? null, onboarded: unsafe.onboarded ?? null, unsafeMetadata: u.unsafeMetadata },
      row.clerkUserId,
    );
  }
  assert.ok(rows.some((x) => x.seats !== null && x.onboarded === true), "an Int and a Boolean picked");
  const members = await q(`SELECT m.id, a."clerkUserId" AS "user", m."orgId" AS org FROM memberships m JOIN accounts a ON a.id = m."accountId" ORDER BY m.id`);
  const expected = [...emu.store.organizations.values()].flatMap((o) => [...emu.store.membershipsOf(o.id)].map((m) => ({ id: m.id, user: m.userId, org: o.id })));
  assert.deepEqual(members, expected.sort((a, b) => (a.id < b.id ? -1 : 1)));
  assert.equal((await sync()).report.rowsWritten, 0, "idempotent: picked values compare equal to what was written");
  await noDrift();
});

test("the plan shows each picked value's column", async () => {
  const { report } = await sync({ dryRun: true });
  assert.equal(report.mapping.users.fields["publicMetadata.limits.seats"], "seats");
  assert.equal(report.mapping.memberships.fields.userId, "accountId (accounts.id)");
  const text = formatMirror(report.mapping);
  assert.match(text, /^  users → "accounts": Clerk id in "clerkUserId", app key "id" \(uuid made on insert\)$/m);
  assert.match(text, /publicMetadata\.plan → plan, publicMetadata\.limits\.seats → seats, unsafeMetadata\.onboarded → onboarded/);
  assert.match(text, /^  organizations → "organizations": Clerk id in "id" \(the primary key\)$/m);
});

test("Clerk changes metadata: picked values follow (a key removed is NULL), the app's own column and the uuid stay", async () => {
  const before = await idsByClerkId();
  const [first, second] = [...emu.store.users.values()];
  await q(`UPDATE accounts SET nickname = 'Boss' WHERE "clerkUserId" = $1`, [first!.id]);
  emu.store.updateUser(first!.id, { publicMetadata: { plan: "team", limits: { seats: 50 } } });
  emu.store.updateUser(second!.id, { publicMetadata: {}, unsafeMetadata: { onboarded: true } });
  const { report } = await sync();
  assert.equal(report.users.updated, 2, JSON.stringify(report.users));
  assert.deepEqual(await account(first!.id), { plan: "team", seats: 50, onboarded: true, unsafeMetadata: { onboarded: true, theme: "dark" }, nickname: "Boss" });
  assert.deepEqual(await account(second!.id), { plan: null, seats: null, onboarded: true, unsafeMetadata: { onboarded: true }, nickname: null });
  assert.deepEqual(await idsByClerkId(), before, "no uuid moved");
  await noDrift();
});

/** Signed deliveries to the webhook handler on this mapping; each answers its outcome (or the whole answer). */
async function deliverer() {
  const secret = webhookSecretFor(29);
  const db = await r.open();
  const handler = createClerkWebhookHandler({ pool: db.pool, oneAtATime: db.pglite, signingSecret: secret, sidecarDir, log: silentLogger, mirror });
  return async (type: string, data: Record<string, unknown>) => {
    const event = signedEvent(secret, { type, data, instanceId: emu.store.instanceId });
    const answer = (await (await handler(signedRequest("http://localhost/api/webhooks/clerk", event))).json()) as { outcome?: string };
    return answer.outcome ?? JSON.stringify(answer);
  };
}

test("signed webhooks and the users tick write the same mapping: a new account gets a uuid, its membership joins on it", async () => {
  const deliver = await deliverer();
  const before = await idsByClerkId();
  const gail = emu.store.createUser({ emailAddresses: ["gail@example.com"], publicMetadata: { plan: "pro", limits: { seats: 3 } }, unsafeMetadata: { onboarded: false } });
  assert.equal(await deliver("user.created", serializeUser(gail)), "applied");
  const org = [...emu.store.organizations.values()][0]!;
  const membership = emu.store.createMembership(org.id, gail.id, "org:member");
  assert.equal(await deliver("organizationMembership.created", serializeMembership(membership, emu.store)), "applied");
  const [row] = await q(`SELECT a.id, a.plan, a.seats, a.onboarded, m.role FROM memberships m JOIN accounts a ON a.id = m."accountId" WHERE m.id = $1`, [membership.id]);
  assert.match(row.id, UUID);
  assert.deepEqual({ ...row, id: undefined }, { id: undefined, plan: "pro", seats: 3, onboarded: false, role: "org:member" });

  emu.store.updateUser(gail.id, { unsafeMetadata: { onboarded: true } });
  const tick = await runUsersTick({ db: await r.open(), api: apiFor(emu) }, { instanceId: emu.store.instanceId, map: { privateMetadata: false }, mirror });
  assert.equal(tick.rowsWritten, 1, JSON.stringify(tick));
  assert.equal((await account(gail.id)).onboarded, true);
  const now = await idsByClerkId();
  for (const [clerkId, id] of Object.entries(before)) assert.equal(now[clerkId], id, `${clerkId} keeps its uuid`);
  assert.equal(now[gail.id], row.id, "the tick updated the row the webhook made");
  await noDrift();
});

const configFor = (): Config =>
  r.config({ rootDir: project, tables, mirror, sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-uuid-app-backups-")), clerk: { secretKey: emu.secretKey, apiUrl: emu.url, requestsPerWindow: 1000, windowMs: 10_000 } });

test("db:reset keeps every row of every table, uuids and picked values included; --undo puts the previous database back", async () => {
  const accounts = await q(`SELECT id FROM accounts ORDER BY id LIMIT 2`);
  for (const [i, a] of accounts.entries()) await q(`INSERT INTO "Invoice" ("accountId", cents) VALUES ($1, $2)`, [a.id, 100 * (i + 1)]);
  for (const o of await q(`SELECT id FROM organizations`)) await q(`INSERT INTO "OrgSetting" ("orgId", theme) VALUES ($1, 'dark')`, [o.id]);
  const snapshot = async () => ({ data: await dataDump(await r.open()), dump: pgDump(await r.open()) });
  const before = await snapshot();
  const report = await runReset({ config: configFor(), db: await r.open(), api: apiFor(emu), log: silentLogger }, { yes: false, forceInstance: false });
  assert.equal(report.verified, true, JSON.stringify(report.tables));
  assert.equal(report.resync.rowsWritten, 0, "nothing changed in Clerk: the resync writes nothing");
  const after = await snapshot();
  assert.deepEqual(after.data, before.data);
  assert.equal(after.dump, before.dump, "pg_dump --data-only of every table");
  await undoReset(await r.open());
  assert.deepEqual((await snapshot()).data, before.data, "the previous database, as it was");
});

// The kill itself is the same on either database kind (test/reset/reset-killed runs it on both): first pass only.
test("db:reset killed (kill -9) while restoring and while switching, on this mapping: the live database as it was, and a plain rerun works", { skip: onFirstPassOnly }, async () => {
  const env = { ...r.env, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: mkdtempSync(path.join(tmpdir(), "clerk-resync-uuid-app-killed-")), LOG_LEVEL: "info" };
  const snapshot = async () => {
    const out = { data: await dataDump(await r.open()), dump: pgDump(await r.open()) };
    await r.release();
    return out;
  };
  const before = await snapshot();
  for (const step of [RESET_STEPS.restore, RESET_STEPS.switch]) {
    const killed = await resetInterruptedAt(step, "SIGKILL", env, project);
    assert.match(killed.how, /^(SIGKILL|0)$/, killed.stderr);
    const after = await snapshot();
    assert.deepEqual(after.data, before.data, `killed while ${step}`);
    assert.equal(after.dump, before.dump);
  }
  const rerun = await runCli(["reset", "--json"], env, project);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(JSON.parse(rerun.stdout).verified, true);
  const check = await runCli(["resync", "--check"], env, project);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.deepEqual((await snapshot()).data, before.data, "the rerun gave every row back, uuids included");
});

test("a mapping that names a table or column the database does not have is refused before any query, each mistake by its config key", async () => {
  const typo = mirrorFromMapping({
    users: { table: "accounts", clerkId: "clerkUserID", primaryKey: { column: "id", generate: "uuid" }, fields: { email: "emial", "publicMetadata.plan": "plan" } },
    organizations: { table: "Organizations", clerkId: "id", fields: { name: "name" } },
    memberships: { table: "memberships", clerkId: "id", fields: { userId: "accountId", organizationId: "orgId" } },
  });
  await assert.rejects(openDatabase({ databaseUrl: (await r.open()).url, pgliteDir: "", mirror: typo }, silentLogger, { command: "test", needsSchema: true }), (err: Error) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, /mirror\.users\.clerkId: "accounts" has no column "clerkUserID" \(did you mean "clerkUserId"\?\)/);
    assert.match(err.message, /mirror\.users\.fields\.email: "accounts" has no column "emial" \(did you mean "email"\?\)/);
    assert.match(err.message, /mirror\.organizations\.table: the database has no table "Organizations" \(did you mean "organizations"\?\)/);
    assert.doesNotMatch(err.message, /memberships/);
    return true;
  });
});

test("a mapped column that is NOT NULL and a Clerk user without that field: refused naming the user, the column and the fix", async () => {
  await q(`UPDATE accounts SET email = coalesce(email, 'none@example.test')`);
  await q(`ALTER TABLE accounts ALTER COLUMN email SET NOT NULL`);
  const phoneOnly = emu.store.createUser({ username: "phone_only", phoneNumbers: ["+15550000000"] });
  try {
    await assert.rejects(sync(), (err: Error) => {
      assert.equal(err.name, "SafetyError", String(err));
      assert.equal(err.message, `Clerk's ${phoneOnly.id} has no email, and "accounts"."email", where the mapping puts it, is NOT NULL. Make the column optional in schema.prisma (String?) and migrate, or take email out of the mapping.`);
      return true;
    });
  } finally {
    emu.store.deleteUser(phoneOnly.id);
    await q(`ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL`);
  }
  await sync();
  await noDrift();
});

test("the guards hold on this mapping: an older copy stays out, a deleted account's late copy does not return, a listing missing most accounts is refused", async () => {
  const deliver = await deliverer();
  const [someone, victim] = [...emu.store.users.values()];
  const older = serializeUser(someone!);
  emu.store.updateUser(someone!.id, { publicMetadata: { plan: "enterprise" } });
  await sync();
  assert.equal(await deliver("user.updated", older), "kept-newer");
  assert.equal((await account(someone!.id)).plan, "enterprise");

  const late = serializeUser(victim!);
  emu.store.deleteUser(victim!.id);
  assert.equal(await deliver("user.deleted", { object: "user", id: victim!.id, deleted: true }), "deleted");
  assert.equal(await deliver("user.updated", late), "stays-deleted");
  assert.equal(await account(victim!.id), undefined);

  const count = async () => (await q(`SELECT count(*)::int AS n FROM accounts`))[0].n;
  const before = await count();
  const doomed = [...emu.store.users.values()].slice(0, Math.ceil(before * 0.6));
  for (const u of doomed) emu.store.deleteUser(u.id);
  await assert.rejects(sync(), new RegExp(`Refusing to delete ${doomed.length} of ${before} users`));
  assert.equal(await count(), before, "nothing deleted");
});

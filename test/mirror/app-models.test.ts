// The mirror on an app's own models, shaped as public Clerk + Prisma apps shape them: an Int
// autoincrement User id beside a unique `clerkId`, a cuid Team id (made by Prisma Client, no
// database default) beside `clerkOrgId`, a membership join model whose foreign keys point at
// those app keys, app tables pointing at the Int user id, org data keyed by a plain `orgId`.
// Resync, its plan, webhooks and the watcher's users tick all write through the one write unit
// with the mapping the app's config declares; app ids never change.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { serializeMembership, serializeUser } from "../../src/clerk-emulator/serialize.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { webhookSecretFor } from "../../src/clerk-emulator/webhook-sender.ts";
import { connectDatabase, type Database } from "../../src/db/database.ts";
import { createClerkWebhookHandler } from "../../src/live/handler.ts";
import { clerkWebhookRoute } from "../../src/live/handle-clerk-webhook.ts";
import { silentLogger } from "../../src/log.ts";
import { readSidecarFile } from "../../src/sidecar/files.ts";
import { formatMirror } from "../../src/mirror/describe.ts";
import { mirrorFromMapping } from "../../src/mirror/mapping.ts";
import { hasDrift } from "../../src/sync/plan.ts";
import { runUsersTick } from "../../src/watch/users-tick.ts";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres.ts";
import { createEmptyDatabase, dropDatabase } from "../support/admin.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { signedEvent, signedRequest } from "../support/signed-event.ts";
import { apiFor, resync } from "../support/sync.ts";
import { APP_MODELS_MIGRATION } from "../support/app-models-project.ts";
import { APP_MODELS_CONFIG } from "./app-models-config.ts";

// What `init` writes for examples/next-app's schema; its migration makes the tables.
const mirror = mirrorFromMapping(APP_MODELS_CONFIG.mirror);

let db: Database;
let stop: () => Promise<void>;
let emu: RunningEmulator;
const sidecarDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-app-models-"));

/** An empty database of the suite's kind: the app's own, migrated by nobody but this test. */
async function emptyDatabase(): Promise<{ db: Database; stop: () => Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `clerk_resync_app_models_${process.pid}`;
    const db = await connectDatabase(await createEmptyDatabase(adminUrl, name), false);
    return { db, stop: async () => (await db.close(), await dropDatabase(adminUrl, name)) };
  }
  const embedded = await startEmbeddedPostgres();
  const db = await connectDatabase(embedded.url, true);
  return { db, stop: async () => (await db.close(), await embedded.stop()) };
}

before(async () => {
  ({ db, stop } = await emptyDatabase());
  await db.pool.query(readFileSync(APP_MODELS_MIGRATION, "utf8"));
  emu = await startTestEmulator({ users: 12, orgs: 3, membershipsPerOrg: 3, seed: 71 });
});
after(async () => {
  await emu?.close();
  await stop?.();
});

const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
const sync = (options: Parameters<typeof resync>[2] = {}) => resync(emu, db, { mirror, sidecarDir, ...options });
const noDrift = async () => {
  const check = await sync({ dryRun: true });
  assert.equal(hasDrift(check.plan), false, JSON.stringify({ users: check.report.users, orgs: check.report.organizations, memberships: check.report.memberships }));
};
const idsByClerkId = async () => Object.fromEntries((await q(`SELECT "clerkId", id FROM users`)).map((r) => [r.clerkId, r.id]));

test("a resync fills the app's own tables: Int and cuid keys made once, memberships on the app keys, only mapped columns written", async () => {
  const { report } = await sync();
  assert.equal(report.invalid.length, 0, JSON.stringify(report.invalid));
  assert.equal((await q(`SELECT count(*)::int AS n FROM users`))[0].n, emu.store.users.size);
  const teams = await q(`SELECT id, "clerkOrgId", name FROM "Team" ORDER BY "clerkOrgId"`);
  assert.equal(teams.length, emu.store.organizations.size);
  for (const team of teams) assert.match(team.id, /^c[0-9a-z]{24}$/, "a cuid-shaped key the database made");
  // Each membership row points at the app keys of its user and team.
  const members = await q(`SELECT m."clerkMembershipId", u."clerkId" AS "user", tm."clerkOrgId" AS org FROM "TeamMember" m JOIN users u ON u.id = m."userId" JOIN "Team" tm ON tm.id = m."teamId"`);
  const expected = [...emu.store.organizations.values()].flatMap((o) => [...emu.store.membershipsOf(o.id)].map((m) => ({ clerkMembershipId: m.id, user: m.userId, org: o.id })));
  assert.deepEqual(members.sort((a, b) => a.clerkMembershipId.localeCompare(b.clerkMembershipId)), expected.sort((a, b) => a.clerkMembershipId.localeCompare(b.clerkMembershipId)));
  const someone = [...emu.store.users.values()][0]!;
  const [row] = await q(`SELECT email, first_name, plan, meta FROM users WHERE "clerkId" = $1`, [someone.id]);
  assert.equal(row.first_name, someone.firstName);
  assert.equal(row.plan, "free", "an app column keeps its default");
  assert.equal((await sync()).report.rowsWritten, 0, "idempotent: nothing to write the second time");
  await noDrift();
});

test("the plan shows what maps where: each entity's table, Clerk-id column, app key and field columns", async () => {
  const { report } = await sync({ dryRun: true });
  assert.deepEqual(report.mapping.users, {
    table: "users",
    clerkId: "clerkId",
    primaryKey: { column: "id", generate: "database" },
    fields: { email: "email", firstName: "first_name", lastName: "last_name", publicMetadata: "meta", createdAt: "created_at", updatedAt: "updated_at" },
    provenance: ["clerkUpdatedAt", "syncSource", "syncedAt"],
  });
  assert.deepEqual(report.mapping.organizations.primaryKey, { column: "id", generate: "cuid" });
  assert.equal(report.mapping.memberships.fields.userId, "userId (users.id)");
  assert.equal(report.mapping.memberships.fields.organizationId, "teamId (Team.id)");
  const text = formatMirror(report.mapping);
  assert.match(text, /^  users → "users": Clerk id in "clerkId", app key "id" \(the database's default\)$/m);
  assert.match(text, /^  organizations → "Team": Clerk id in "clerkOrgId", app key "id" \(cuid made on insert\)$/m);
  assert.match(text, /^    userId → userId \(users\.id\), organizationId → teamId \(Team\.id\), role → role, createdAt → createdAt, updatedAt → updatedAt$/m);
});

test("Clerk changes a user, deletes another and re-creates a membership: app ids and the app's columns stay", async () => {
  const before = await idsByClerkId();
  const [alice, bob] = [...emu.store.users.values()];
  await q(`INSERT INTO "Post" ("authorId", title) VALUES ($1, 'hello')`, [before[alice!.id]]);
  await q(`UPDATE users SET plan = 'pro' WHERE "clerkId" = $1`, [alice!.id]);
  const org = [...emu.store.organizations.values()][0]!;
  const old = [...emu.store.membershipsOf(org.id)][0]!;
  await q(`INSERT INTO "Note" ("orgId", body) VALUES ($1, 'org-scoped, no foreign key')`, [org.id]);
  await q(`UPDATE "TeamMember" SET seat = 'desk 4' WHERE "clerkMembershipId" = $1`, [old.id]);
  const [memberRow] = await q(`SELECT id FROM "TeamMember" WHERE "clerkMembershipId" = $1`, [old.id]);

  emu.store.updateUser(alice!.id, { firstName: "Alicia" });
  const gone = bob!.id === old.userId ? [...emu.store.users.values()][2]! : bob!;
  emu.store.deleteUser(gone.id);
  emu.store.deleteMembership(org.id, old.userId);
  const renewed = emu.store.createMembership(org.id, old.userId, "org:admin");

  const { report } = await sync();
  assert.equal(report.invalid.length, 0);
  // What the deleted user owned here (its app columns, its Int id, its posts) is saved before the delete.
  assert.ok(report.prunedSidecar, "a pruned sidecar");
  const pruned = readSidecarFile(report.prunedSidecar);
  assert.deepEqual(pruned.tables.users?.rows.map((r) => r.clerkId), [gone.id]);
  assert.equal(pruned.tables.users?.rows[0]?.id, before[gone.id]);
  const after = await idsByClerkId();
  assert.equal(after[alice!.id], before[alice!.id], "the Int id stays");
  assert.equal(after[gone.id], undefined, "deleted in Clerk, deleted here");
  for (const [clerkId, id] of Object.entries(after)) assert.equal(id, before[clerkId], `${clerkId} keeps its id`);
  assert.deepEqual(await q(`SELECT u.first_name, u.plan, p.title FROM "Post" p JOIN users u ON u.id = p."authorId"`), [{ first_name: "Alicia", plan: "pro", title: "hello" }]);
  assert.deepEqual(await q(`SELECT id, role, seat FROM "TeamMember" WHERE "clerkMembershipId" = $1`, [renewed.id]), [{ id: memberRow.id, role: "org:admin", seat: "desk 4" }], "re-keyed: same row, the app's seat kept");
  assert.equal((await q(`SELECT count(*)::int AS n FROM "Note"`))[0].n, 1);
  assert.equal((await q(`SELECT count(*)::int AS n FROM "ClerkTombstone" WHERE id = $1`, [gone.id]))[0].n, 1, "the delete leaves its tombstone in the app's schema");
  await noDrift();
});

test("signed webhooks and the watcher's users tick write the same mapping", async () => {
  const secret = webhookSecretFor(71);
  const handler = createClerkWebhookHandler({ pool: db.pool, oneAtATime: db.pglite, signingSecret: secret, sidecarDir, log: silentLogger, mirror });
  const deliver = async (type: string, data: Record<string, unknown>) => {
    const res = await handler(signedRequest("http://localhost/webhooks/clerk", signedEvent(secret, { type, data, instanceId: emu.store.instanceId })));
    return ((await res.json()) as { outcome?: string; error?: string });
  };
  const before = await idsByClerkId();
  const carol = emu.store.createUser({ emailAddresses: ["carol@example.com"], firstName: "Carol" });
  assert.equal((await deliver("user.created", serializeUser(carol))).outcome, "applied");
  const org = [...emu.store.organizations.values()][1]!;
  const membership = emu.store.createMembership(org.id, carol.id, "org:member");
  assert.equal((await deliver("organizationMembership.created", serializeMembership(membership, emu.store))).outcome, "applied");
  const [row] = await q(`SELECT u.first_name, m.role FROM "TeamMember" m JOIN users u ON u.id = m."userId" WHERE m."clerkMembershipId" = $1`, [membership.id]);
  assert.deepEqual(row, { first_name: "Carol", role: "org:member" });
  const dave = [...emu.store.users.values()].find((u) => u.id !== carol.id && before[u.id])!;
  emu.store.updateUser(dave.id, { lastName: "Tick" });
  const tick = await runUsersTick({ db, api: apiFor(emu) }, { instanceId: emu.store.instanceId, map: { privateMetadata: false }, mirror });
  assert.ok(tick.rowsWritten >= 1, JSON.stringify(tick));
  assert.equal((await q(`SELECT last_name FROM users WHERE "clerkId" = $1`, [dave.id]))[0].last_name, "Tick");
  assert.equal((await deliver("user.deleted", { object: "user", id: carol.id, deleted: true })).outcome, "deleted");
  assert.equal((await q(`SELECT count(*)::int AS n FROM "TeamMember" WHERE "clerkMembershipId" = $1`, [membership.id]))[0].n, 0, "its membership went with it (the app's cascade)");
  emu.store.deleteUser(carol.id);
  const after = await idsByClerkId();
  for (const [clerkId, id] of Object.entries(after)) assert.equal(id, before[clerkId], `${clerkId} keeps its id`);
  await noDrift();
});

test("clerkWebhookRoute(config): the app's route, given the config it imports, writes the app's tables", async () => {
  const secret = webhookSecretFor(72);
  Object.assign(process.env, { DATABASE_URL: db.url, CLERK_WEBHOOK_SIGNING_SECRET: secret, LOG_LEVEL: "silent" });
  const POST = clerkWebhookRoute(APP_MODELS_CONFIG);
  const erin = emu.store.createUser({ emailAddresses: ["erin@example.com"], firstName: "Erin" });
  const res = await POST(signedRequest("http://localhost/api/webhooks/clerk", signedEvent(secret, { type: "user.created", data: serializeUser(erin), instanceId: emu.store.instanceId, msgId: "msg_route" })));
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(await q(`SELECT email, first_name FROM users WHERE "clerkId" = $1`, [erin.id]), [{ email: "erin@example.com", first_name: "Erin" }]);
});

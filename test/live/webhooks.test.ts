// The live path end to end: the emulator delivers Svix-signed webhooks over HTTP to the receiver,
// which verifies them with the real `verifyWebhook` and applies them through the resync's own
// write path. Whatever the delivery does (duplicates, reordering, drops), the database ends equal
// to Clerk's state and `clerk:resync --check` finds no drift.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, afterEach, before, beforeEach, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { serializeMembership, serializeUser } from "../../src/clerk-emulator/serialize.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { WebhookSender, webhookSecretFor, type WebhookFaults } from "../../src/clerk-emulator/webhook-sender.ts";
import { silentLogger } from "../../src/log.ts";
import { createClerkWebhookHandler, type ClerkWebhookHandler } from "../../src/live/handler.ts";
import { startWebhookReceiver, type RunningReceiver } from "../../src/live/server.ts";
import { RESET_MARKER } from "../../src/reset/under-way.ts";
import { hasDrift } from "../../src/sync/plan.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { actualState, clerkState, expectedState, resetToSynced, resync } from "../support/sync.ts";

const SECRET = webhookSecretFor(13);
let t: TestDatabase;
let emu: RunningEmulator;
let handler: ClerkWebhookHandler;
let receiver: RunningReceiver;
let sender: WebhookSender | undefined;
let sidecarDir: string;

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 25, orgs: 4, membershipsPerOrg: 4, seed: 13 });
});
after(async () => {
  await emu.close();
  await t.close();
});
beforeEach(async () => {
  await resetToSynced(emu, t.db);
  sidecarDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-live-"));
  handler = createClerkWebhookHandler({ pool: t.db.pool, oneAtATime: t.db.pglite, signingSecret: SECRET, sidecarDir, log: silentLogger, resetUnderWay: () => readdirSync(sidecarDir).includes(RESET_MARKER) });
  receiver = await startWebhookReceiver(handler);
});
afterEach(async () => {
  sender?.close();
  sender = undefined;
  await receiver.close();
});

const startSender = (faults: WebhookFaults = {}) => (sender = new WebhookSender(emu.store, { url: receiver.url, secret: SECRET, faults, random: seeded(7) }));

function seeded(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}


async function assertConverged(): Promise<void> {
  await sender!.drain();
  assert.deepEqual(clerkState(await actualState(t.db)), clerkState(expectedState(emu.store)));
  const check = await resync(emu, t.db, { dryRun: true });
  assert.equal(hasDrift(check.plan), false, `--check after the webhooks: ${JSON.stringify(check.report.users)} ${JSON.stringify(check.report.memberships)}`);
}

/** Some of everything Clerk's webhooks carry: creates, updates, role changes, deletes. */
let runs = 0;
function mutate(): void {
  const s = emu.store;
  runs += 1;
  const alice = s.createUser({ emailAddresses: [`alice.live${runs}@example.com`], firstName: "Alice" });
  s.updateUser(alice.id, { lastName: "Ünïcødé", publicMetadata: { plan: "pro" } });
  const org = s.createOrganization({ name: `Live Org ${runs}`, createdBy: alice.id });
  const bob = [...s.users.values()][0]!;
  s.createMembership(org.id, bob.id, "org:member");
  s.updateMembership(org.id, bob.id, "org:admin");
  s.updateOrganization(org.id, { name: "Live Org (renamed)" });
  const [first, second] = [...s.organizations.values()];
  const someone = [...s.membershipsOf(first!.id)][0]!;
  s.deleteMembership(first!.id, someone.userId);
  s.deleteUser([...s.users.values()][3]!.id);
  s.deleteOrganization(second!.id);
}

test("signed webhooks of every kind end to end: the database equals Clerk and --check finds no drift", async () => {
  startSender();
  mutate();
  await assertConverged();
  assert.equal(sender!.stats.abandoned, 0);
  assert.ok(handler.stats.applied >= 10, JSON.stringify(handler.stats));
  assert.equal(handler.stats.rejected, 0);
  const health = (await (await fetch(receiver.url.replace("/webhooks/clerk", "/healthz"))).json()) as { applied: number; lastEventAt: string | null };
  assert.equal(health.applied, handler.stats.applied);
  assert.ok(health.lastEventAt);
});

test("duplicates, reordering and dropped attempts: still exactly Clerk's state", async () => {
  startSender({ duplicates: 0.5, reorderMs: 150, drops: 0.2 });
  for (let i = 0; i < 3; i++) mutate2(i);
  await sender!.drain();
  await assertConverged();
  assert.ok(sender!.stats.dropped > 0 && handler.stats.duplicates > 0, JSON.stringify({ sender: sender!.stats, receiver: handler.stats }));
});

function mutate2(round: number): void {
  const s = emu.store;
  const u = s.createUser({ emailAddresses: [`round${round}@example.com`], firstName: `R${round}` });
  for (let k = 0; k < 4; k++) s.updateUser(u.id, { firstName: `R${round}.${k}` });
  const org = [...s.organizations.values()][round % s.organizations.size]!;
  s.createMembership(org.id, u.id, "org:member");
  s.updateMembership(org.id, u.id, "org:admin");
  if (round === 1) s.deleteMembership(org.id, u.id);
  if (round === 2) s.deleteUser(u.id);
}

/** A delivery as Svix makes it, by hand: for replays, stale timestamps, out-of-order copies. */
async function deliver(body: unknown, options: { secret?: string; msgId?: string; at?: Date } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const msgId = options.msgId ?? `msg_${Math.random().toString(36).slice(2)}`;
  const at = options.at ?? new Date();
  const res = await fetch(receiver.url, {
    method: "POST",
    headers: { "content-type": "application/json", "svix-id": msgId, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": new Webhook(options.secret ?? SECRET).sign(msgId, at, text) },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const userEvent = (type: string, data: Record<string, unknown>) => ({ type, object: "event", data, timestamp: Date.now(), instance_id: emu.store.instanceId });
const userRow = async (id: string) => (await t.db.pool.query(`SELECT "firstName", "syncSource" FROM "User" WHERE id = $1`, [id])).rows[0];

test("bad signature, stale timestamp, malformed body, invalid record: 4xx with the reason, nothing written, counted", async () => {
  const before = JSON.stringify(await actualState(t.db));
  const user = [...emu.store.users.values()][0]!;
  const event = userEvent("user.updated", { ...serializeUser(user), first_name: "Mallory", updated_at: user.updatedAt + 1000 });
  const cases: [Promise<{ status: number; body: Record<string, unknown> }>, number, RegExp][] = [
    [deliver(event, { secret: webhookSecretFor(99) }), 401, /^bad signature/],
    [deliver(event, { at: new Date(Date.now() - 10 * 60_000) }), 401, /^stale or invalid svix-timestamp/],
    [deliver("{not json"), 400, /malformed|JSON/i],
    [deliver(userEvent("user.updated", { id: user.id, first_name: "NoDates" })), 400, /user_\w+: .*createdAt/],
  ];
  for (const [p, status, reason] of cases) {
    const r = await p;
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.match(String(r.body.error), reason);
  }
  const unsigned = await fetch(receiver.url, { method: "POST", body: JSON.stringify(event) });
  assert.equal(unsigned.status, 400);
  assert.equal(handler.stats.rejected, cases.length + 1);
  assert.equal(JSON.stringify(await actualState(t.db)), before, "nothing written");
});

test("a redelivery (same svix-id) is applied once", async () => {
  const user = [...emu.store.users.values()][1]!;
  const event = userEvent("user.updated", { ...serializeUser(user), first_name: "Once", updated_at: user.updatedAt + 1000 });
  assert.deepEqual((await deliver(event, { msgId: "msg_replay" })).body.outcome, "applied");
  await t.db.pool.query(`UPDATE "User" SET "firstName" = 'edited locally' WHERE id = $1`, [user.id]);
  assert.deepEqual((await deliver(event, { msgId: "msg_replay" })).body.outcome, "duplicate");
  assert.equal((await userRow(user.id)).firstName, "edited locally", "the second delivery wrote nothing");
});

test("out-of-order updates: the newest copy wins, whichever arrives last", async () => {
  const user = [...emu.store.users.values()][2]!;
  const newer = userEvent("user.updated", { ...serializeUser(user), first_name: "Newer", updated_at: user.updatedAt + 2000 });
  const older = userEvent("user.updated", { ...serializeUser(user), first_name: "Older", updated_at: user.updatedAt + 1000 });
  assert.equal((await deliver(newer)).body.outcome, "applied");
  assert.equal((await deliver(older)).body.outcome, "kept-newer");
  assert.deepEqual(await userRow(user.id), { firstName: "Newer", syncSource: "webhook" });
});

test("delete, then a late update: the user stays deleted; a resync brings it back only if Clerk lists it again", async () => {
  const user = [...emu.store.users.values()][4]!;
  assert.equal((await deliver(userEvent("user.deleted", { object: "user", id: user.id, deleted: true }))).body.outcome, "deleted");
  const late = userEvent("user.updated", { ...serializeUser(user), first_name: "Zombie", updated_at: user.updatedAt + 5000 });
  assert.equal((await deliver(late)).body.outcome, "stays-deleted");
  assert.equal(await userRow(user.id), undefined);
  // This user still exists in the emulator (the delete event above was forged): a listing that
  // starts after the tombstone is Clerk's word that the record exists again.
  await resync(emu, t.db);
  assert.ok(await userRow(user.id));
  assert.equal((await t.db.pool.query(`SELECT count(*)::int AS n FROM "ClerkTombstone" WHERE id = $1`, [user.id])).rows[0].n, 0);
});

test("an organization deleted by webhook: its local data goes to the pruned sidecar first", async () => {
  const org = [...emu.store.organizations.values()][0]!;
  await t.db.pool.query(`INSERT INTO "Prompt" ("organizationId", name, content) VALUES ($1, 'keep-me', 'precious')`, [org.id]);
  startSender();
  emu.store.deleteOrganization(org.id);
  await sender!.drain();
  const pruned = readdirSync(sidecarDir).filter((f) => f.startsWith("pruned-"));
  assert.equal(pruned.length, 1);
  assert.match(readFileSync(path.join(sidecarDir, pruned[0]!), "utf8"), /precious/);
  assert.equal((await t.db.pool.query(`SELECT count(*)::int AS n FROM "Organization" WHERE id = $1`, [org.id])).rows[0].n, 0);
});

test("a membership re-created under a new id, its delete not delivered yet: the row is re-keyed with the app's columns kept, as a resync does", async () => {
  const org = [...emu.store.organizations.values()][1]!;
  const old = [...emu.store.membershipsOf(org.id)][0]!;
  await t.db.pool.query(`ALTER TABLE "OrganizationMembership" ADD COLUMN "seatNote" text`);
  try {
    await t.db.pool.query(`UPDATE "OrganizationMembership" SET "seatNote" = 'desk 4' WHERE id = $1`, [old.id]);
    emu.store.deleteMembership(org.id, old.userId);
    const renewed = emu.store.createMembership(org.id, old.userId, "org:admin");
    const created = await deliver(userEvent("organizationMembership.created", serializeMembership(renewed, emu.store)));
    assert.equal(created.body.outcome, "applied", JSON.stringify(created.body));
    const rows = (await t.db.pool.query(`SELECT id, role, "seatNote" FROM "OrganizationMembership" WHERE "organizationId" = $1 AND "userId" = $2`, [org.id, old.userId])).rows;
    assert.deepEqual(rows, [{ id: renewed.id, role: "org:admin", seatNote: "desk 4" }]);
    // The old record's late copy and its delete change nothing.
    assert.equal((await deliver(userEvent("organizationMembership.updated", serializeMembership(old, emu.store)))).body.outcome, "kept-newer");
    assert.equal((await deliver(userEvent("organizationMembership.deleted", { object: "organization_membership", id: old.id, deleted: true }))).body.outcome, "deleted");
    assert.equal((await t.db.pool.query(`SELECT "seatNote" FROM "OrganizationMembership" WHERE id = $1`, [renewed.id])).rows[0]?.seatNote, "desk 4");
    const check = await resync(emu, t.db, { dryRun: true });
    assert.equal(hasDrift(check.plan), false, JSON.stringify(check.report.memberships));
  } finally {
    await t.db.pool.query(`ALTER TABLE "OrganizationMembership" DROP COLUMN IF EXISTS "seatNote"`);
  }
});

test("during a db:reset the receiver answers 503, so Svix delivers again later", async () => {
  writeFileSync(path.join(sidecarDir, RESET_MARKER), "{}");
  const user = [...emu.store.users.values()][5]!;
  const r = await deliver(userEvent("user.updated", { ...serializeUser(user), first_name: "Later", updated_at: user.updatedAt + 1000 }));
  assert.equal(r.status, 503);
  assert.match(String(r.body.error), /db:reset/);
  rmSync(path.join(sidecarDir, RESET_MARKER));
  assert.notEqual((await userRow(user.id)).firstName, "Later");
});

test("a resync running while webhooks arrive converges to Clerk's state exactly", async () => {
  startSender({ reorderMs: 50 });
  // A slow memberships listing keeps the resync paging while Clerk changes underneath it.
  emu.faults.set([{ route: "GET /organization_memberships", latencyMs: 300, times: 2 }]);
  const running = resync(emu, t.db);
  await new Promise((r) => setTimeout(r, 100));
  mutate();
  await running;
  emu.faults.clear();
  await assertConverged();
});


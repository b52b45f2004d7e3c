// What the mirror holds and when a copy from Clerk replaces it: every mirrored field against the
// emulator's records (read back with plain SQL, not through the sync's own reader), provenance,
// the keep-vs-repair rule, plan-vs-apply agreement, and app columns on mirrored tables.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { ROLES } from "../../src/clerk-emulator/model.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { DEFAULT_MIRROR, ENTITIES, ownedColumns, type EntitySpec } from "../../src/mirror/columns.ts";
import { upsertUsers, WEBHOOK_ORIGIN } from "../../src/mirror/writes.ts";
import { hasDrift } from "../../src/sync/plan.ts";
import type { UserRow } from "../../src/mirror/rows.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { actualState, expectedState, resync, truncateAll } from "../support/sync.ts";

let t: TestDatabase;
let emu: RunningEmulator;

before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await emu?.close();
  await t.close();
});
beforeEach(async () => {
  await emu?.close();
  emu = await startTestEmulator({ users: 60, orgs: 8, membershipsPerOrg: 5, seed: 21 });
  await truncateAll(t.db.pool);
});

const ms = (d: Date | null) => (d === null ? null : d.getTime());

test("after a resync every mirrored field equals the emulator's, field by field (unicode, 8 KB metadata, nulls)", async () => {
  const s = emu.store;
  const users = [...s.users.values()];
  // Edge values the generated dataset may not hold on its own.
  const big = { notes: "Ünïcødé ✓ 日本語 — ".repeat(300), deep: { a: [1, null, { "ключ": "значение" }] } };
  assert.ok(Buffer.byteLength(JSON.stringify(big)) >= 8 * 1024, "8 KB of UTF-8");
  s.updateUser(users[0]!.id, { publicMetadata: big, externalId: "ext-ünï-0", banned: true, lastSignInAt: 1_735_000_000_123 });
  s.updateUser(users[1]!.id, { locked: true, publicMetadata: {}, externalId: null, lastSignInAt: null });
  const org = [...s.organizations.values()][0]!;
  s.updateOrganization(org.id, { publicMetadata: { "名前": "株式会社", big }, maxAllowedMemberships: 77 });
  const m = [...s.memberships.values()][0]!;
  s.updateMembership(m.organizationId, m.userId, "org:billing", { publicMetadata: { seat: "Æ-1", n: null } });

  await resync(emu, t.db);
  const dbUsers = (await t.db.pool.query(`SELECT * FROM "User"`)).rows;
  const dbOrgs = (await t.db.pool.query(`SELECT * FROM "Organization"`)).rows;
  const dbMems = (await t.db.pool.query(`SELECT * FROM "OrganizationMembership"`)).rows;
  assert.equal(dbUsers.length, s.users.size);
  for (const row of dbUsers) {
    const u = s.users.get(row.id)!;
    assert.equal(row.externalId, u.externalId, `${u.id} externalId`);
    assert.equal(row.phoneNumber, u.phones.find((p) => p.id === u.primaryPhoneId)?.phoneNumber ?? null, `${u.id} phoneNumber`);
    assert.deepEqual(row.publicMetadata, u.publicMetadata, `${u.id} publicMetadata`);
    assert.equal(row.privateMetadata, null, "private metadata is not mirrored by default");
    assert.equal(row.banned, u.banned);
    assert.equal(row.locked, u.locked);
    assert.equal(ms(row.lastSignInAt), u.lastSignInAt, `${u.id} lastSignInAt`);
    assert.equal(ms(row.clerkUpdatedAt), u.updatedAt);
    assert.equal(row.syncSource, "resync");
  }
  for (const row of dbOrgs) {
    const o = s.organizations.get(row.id)!;
    assert.deepEqual(row.publicMetadata, o.publicMetadata, `${o.id} publicMetadata`);
    assert.equal(row.maxAllowedMemberships, o.maxAllowedMemberships);
    assert.equal(row.createdBy, o.createdBy);
    assert.equal(row.privateMetadata, null);
  }
  for (const row of dbMems) {
    const mm = s.memberships.get(row.id)!;
    assert.deepEqual(row.permissions, ROLES[mm.role]!.permissions, `${mm.id} permissions`);
    assert.deepEqual(row.publicMetadata, mm.publicMetadata);
    assert.equal(row.privateMetadata, null);
  }
  // The dataset covers each column's interesting values, so the loops above compared them.
  const some = (xs: unknown[], p: (x: any) => boolean) => assert.ok(xs.some(p), p.toString());
  some(dbUsers, (r) => r.externalId === null);
  some(dbUsers, (r) => r.externalId !== null);
  some(dbUsers, (r) => r.phoneNumber !== null);
  some(dbUsers, (r) => r.phoneNumber === null);
  some(dbUsers, (r) => r.banned);
  some(dbUsers, (r) => r.locked);
  some(dbUsers, (r) => r.lastSignInAt === null);
  some(dbUsers, (r) => Buffer.byteLength(JSON.stringify(r.publicMetadata)) > 8 * 1024);
  some(dbUsers, (r) => /[^\x00-\x7f]/.test(JSON.stringify(r.publicMetadata)));
  some(dbOrgs, (r) => r.createdBy === null);
  some(dbOrgs, (r) => r.createdBy !== null);
  some(dbOrgs, (r) => r.maxAllowedMemberships > 0);
  some(dbMems, (r) => Object.keys(r.publicMetadata).length > 0);
  some(dbMems, (r) => r.permissions.length === 0);
  assert.deepEqual(await actualState(t.db), expectedState(s));
  const again = await resync(emu, t.db);
  assert.equal(again.report.rowsWritten, 0, "jsonb key order and text[] compare equal: nothing to write");
});

test("private metadata is mirrored only when opted in, and cleared again when opted out", async () => {
  await resync(emu, t.db, { mirrorPrivateMetadata: true });
  assert.deepEqual(await actualState(t.db), expectedState(emu.store, { privateMetadata: true }));
  const withSecret = [...emu.store.users.values()].find((u) => Object.keys(u.privateMetadata).length)!;
  const row = await t.db.pool.query(`SELECT "privateMetadata" FROM "User" WHERE id = $1`, [withSecret.id]);
  assert.deepEqual(row.rows[0].privateMetadata, withSecret.privateMetadata);
  const { report, changes } = await resync(emu, t.db, { dryRun: true });
  const change = [...changes("user")].find((c) => c.id === withSecret.id)!;
  assert.deepEqual(change.fields.privateMetadata, { old: "[private]", new: null }, "values of private metadata never reach a report");
  assert.ok(report.users.updated > 0);
  await resync(emu, t.db);
  assert.deepEqual(await actualState(t.db), expectedState(emu.store));
});

/** What a webhook handler (issue 13) does with Clerk's copy of a user: the same guarded upsert. */
async function webhookWrites(row: UserRow): Promise<number> {
  const client = await t.db.pool.connect();
  try {
    return await upsertUsers(client, [row], WEBHOOK_ORIGIN);
  } finally {
    client.release();
  }
}

test("a newer copy from Clerk (a webhook that raced the listing) is kept, reported, and not drift", async () => {
  await resync(emu, t.db);
  const u = [...emu.store.users.values()][2]!;
  const [current] = (await actualState(t.db)).users.filter((r) => r.id === u.id);
  const { clerkUpdatedAt: _c, syncSource: _s, ...clerkCopy } = current!;
  // Clerk changed the user after our listing was taken; the webhook brought the newer copy.
  assert.equal(await webhookWrites({ ...clerkCopy, firstName: "From webhook", updatedAt: u.updatedAt + 5000 }), 1);

  const check = await resync(emu, t.db, { dryRun: true });
  assert.equal(check.report.users.kept, 1);
  assert.equal(check.report.users.updated, 0);
  assert.equal(hasDrift(check.plan), false, "--check exits 0");
  const kept = [...check.changes("user")].find((c) => c.op === "keep")!;
  assert.equal(kept.id, u.id);
  assert.match(kept.reason!, /^newer copy from Clerk \(written by webhook, updated_at .*; the listing had .*\)$/);

  const run = await resync(emu, t.db);
  assert.equal(run.report.rowsWritten, 0);
  const row = await t.db.pool.query(`SELECT "firstName", "syncSource" FROM "User" WHERE id = $1`, [u.id]);
  assert.deepEqual(row.rows[0], { firstName: "From webhook", syncSource: "webhook" });
  // An older copy from Clerk never replaces it, whichever path brings it.
  assert.equal(await webhookWrites({ ...clerkCopy, firstName: "Stale webhook", updatedAt: u.updatedAt + 1000 }), 0);
  // Once Clerk's own copy is newer, the listing wins again.
  emu.store.updateUser(u.id, { firstName: "Clerk later" });
  await resync(emu, t.db);
  assert.deepEqual(await actualState(t.db), expectedState(emu.store));
});

test("a local edit to a mirrored field, even with a bumped updatedAt, is repaired by one resync; then --check is clean", async () => {
  await resync(emu, t.db);
  const [a, b, c] = [...emu.store.users.values()];
  await t.db.pool.query(`UPDATE "User" SET "firstName" = 'Local edit', "updatedAt" = now() + interval '1 day' WHERE id = $1`, [a!.id]);
  await t.db.pool.query(`UPDATE "User" SET banned = NOT banned, "publicMetadata" = '{"role":"hacked"}' WHERE id = $1`, [b!.id]);
  // A row no Clerk path wrote (inserted by hand, provenance unknown) with a far-future updatedAt.
  await t.db.pool.query(`UPDATE "User" SET "clerkUpdatedAt" = NULL, "syncSource" = NULL, "updatedAt" = '2999-01-01' WHERE id = $1`, [c!.id]);

  const plan = await resync(emu, t.db, { dryRun: true });
  assert.equal(plan.report.users.updated, 3);
  assert.equal(plan.report.users.kept, 0);
  const edits = new Map([...plan.changes("user")].map((ch) => [ch.id, ch]));
  assert.deepEqual(Object.keys(edits.get(a!.id)!.fields), ["firstName", "updatedAt"]);
  assert.deepEqual(edits.get(a!.id)!.fields.firstName, { old: "Local edit", new: a!.firstName });
  assert.deepEqual(edits.get(b!.id)!.fields.publicMetadata, { old: { role: "hacked" }, new: b!.publicMetadata });
  assert.deepEqual(Object.keys(edits.get(c!.id)!.fields), ["updatedAt", "clerkUpdatedAt"]);

  const run = await resync(emu, t.db);
  assert.equal(run.report.rowsWritten, 3, "the apply wrote exactly what the plan said");
  assert.deepEqual(await actualState(t.db), expectedState(emu.store));
  const check = await resync(emu, t.db, { dryRun: true });
  assert.equal(hasDrift(check.plan), false);
});

test("plan and apply agree: rows written = planned creates + updates + deletes, kept rows untouched, nothing left to do", async () => {
  await resync(emu, t.db);
  const s = emu.store;
  const users = [...s.users.values()];
  const orgs = [...s.organizations.values()];
  // Clerk-side changes…
  s.createUser({ emailAddresses: ["agree.new@example.com"] });
  s.updateUser(users[3]!.id, { publicMetadata: { plan: "enterprise" }, lastSignInAt: 1_750_000_000_000 });
  s.updateOrganization(orgs[1]!.id, { maxAllowedMemberships: 500 });
  s.deleteUser(users[4]!.id);
  // …local edits, a local-only row, newer copies from a webhook (kept) and an equal one (unchanged).
  await t.db.pool.query(`UPDATE "Organization" SET name = 'tampered', "updatedAt" = now() + interval '1 year' WHERE id = $1`, [orgs[2]!.id]);
  await t.db.pool.query(`UPDATE "OrganizationMembership" SET permissions = '{}' WHERE id = (SELECT min(id) FROM "OrganizationMembership")`);
  await t.db.pool.query(`INSERT INTO "User" (id, "createdAt", "updatedAt") VALUES ('user_local_only', now(), now())`);
  const locals = (await actualState(t.db)).users;
  const strip = (r: (typeof locals)[number]): UserRow => {
    const { clerkUpdatedAt: _c, syncSource: _s, ...row } = r;
    return row;
  };
  const raced = locals.find((r) => r.id === users[5]!.id)!;
  await webhookWrites({ ...strip(raced), username: "raced", updatedAt: raced.updatedAt + 10_000 });
  const same = locals.find((r) => r.id === users[6]!.id)!;
  await webhookWrites(strip(same));

  const planned = await resync(emu, t.db, { dryRun: true });
  const r = planned.report;
  assert.deepEqual(
    [r.users.created, r.users.updated, r.users.deleted, r.users.kept, r.organizations.updated, r.memberships.updated],
    [1, 1, 2, 1, 2, 1],
    JSON.stringify(r),
  );
  const applied = await resync(emu, t.db);
  assert.deepEqual([applied.report.users, applied.report.organizations, applied.report.memberships], [r.users, r.organizations, r.memberships]);
  const expectedWrites = (["users", "organizations", "memberships"] as const).reduce((n, e) => n + r[e].created + r[e].updated + r[e].deleted, 0);
  assert.equal(applied.report.rowsWritten, expectedWrites);
  const after = await resync(emu, t.db, { dryRun: true });
  assert.equal(hasDrift(after.plan), false);
  assert.equal(after.report.users.kept, 1, "still newer than the listing");
  const row = await t.db.pool.query(`SELECT username FROM "User" WHERE id = $1`, [raced.id]);
  assert.equal(row.rows[0].username, "raced");
});

test("the default mirror's registry is exactly its tables' columns; a column the app adds survives a resync", async () => {
  for (const entity of ENTITIES) {
    const spec = DEFAULT_MIRROR[entity] as EntitySpec<never>;
    const cols = await t.db.pool.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, [spec.table]);
    assert.deepEqual(cols.rows.map((c) => c.column_name).sort(), ownedColumns(spec).sort(), spec.table);
  }
  await t.db.pool.query(`ALTER TABLE "User" ADD COLUMN "stripeCustomerId" text`);
  try {
    await resync(emu, t.db);
    const u = [...emu.store.users.values()][0]!;
    await t.db.pool.query(`UPDATE "User" SET "stripeCustomerId" = 'cus_123' WHERE id = $1`, [u.id]);
    emu.store.updateUser(u.id, { firstName: "Changed in Clerk", publicMetadata: { plan: "pro" } });
    const { report } = await resync(emu, t.db);
    assert.equal(report.users.updated, 1);
    const row = await t.db.pool.query(`SELECT "firstName", "stripeCustomerId" FROM "User" WHERE id = $1`, [u.id]);
    assert.deepEqual(row.rows[0], { firstName: "Changed in Clerk", stripeCustomerId: "cus_123" });
  } finally {
    await t.db.pool.query(`ALTER TABLE "User" DROP COLUMN "stripeCustomerId"`);
  }
});

test("a dry run of a mass-delete plan reports the whole plan and the refusal; a real run still stops", async () => {
  await resync(emu, t.db);
  const doomed = [...emu.store.users.values()].slice(0, 40);
  for (const u of doomed) emu.store.deleteUser(u.id);
  const dry = await resync(emu, t.db, { dryRun: true });
  assert.match(dry.report.refusal ?? "", /^Refusing to delete 40 of 60 users \(67%\).*--allow-mass-delete/);
  const deletes = [...dry.changes("user")].filter((c) => c.op === "delete");
  assert.equal(deletes.length, 40);
  const first = deletes.find((d) => d.id === doomed[0]!.id)!;
  assert.equal(first.label, emu.store.primaryEmail(doomed[0]!) ?? doomed[0]!.username ?? first.label, "labelled from the database");
  assert.ok([...dry.changes("membership")].some((c) => c.op === "delete" && / \/ /.test(c.label)), "membership labels are org / user");
  await assert.rejects(resync(emu, t.db), /Refusing to delete 40 of 60 users/);
});

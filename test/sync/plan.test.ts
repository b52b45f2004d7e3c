import assert from "node:assert/strict";
import { test } from "node:test";
import { createSyncPlanner, deleteShare, hasDrift, planEntity, planSync, presentIdsOf, withoutDeletes, withoutStillPresent } from "../../src/sync/plan.ts";
import { USER_FIELDS } from "../../src/mirror/columns.ts";
import { type Local, type LocalState, type MappedSnapshot, type MembershipRow, type OrganizationRow, type UserRow } from "../../src/mirror/rows.ts";

const user = (id: string, over: Partial<UserRow> = {}): UserRow => ({
  id,
  email: `${id}@x.test`,
  phoneNumber: null,
  firstName: "F",
  lastName: "L",
  username: null,
  imageUrl: null,
  externalId: null,
  publicMetadata: "{}",
  privateMetadata: null,
  banned: false,
  locked: false,
  lastSignInAt: null,
  createdAt: 1,
  updatedAt: 1,
  ...over,
});
const org = (id: string, over: Partial<OrganizationRow> = {}): OrganizationRow => ({ id, name: id, slug: id, imageUrl: null, publicMetadata: "{}", privateMetadata: null, maxAllowedMemberships: 0, createdBy: null, createdAt: 1, updatedAt: 1, ...over });
const mem = (id: string, organizationId: string, userId: string, over: Partial<MembershipRow> = {}): MembershipRow => ({
  id,
  organizationId,
  userId,
  role: "org:member",
  permissions: ["org:sys_memberships:read"],
  publicMetadata: "{}",
  privateMetadata: null,
  createdAt: 1,
  updatedAt: 1,
  ...over,
});
/** A database row a resync wrote from Clerk's copy `row` (provenance = its updated_at). */
const synced = <R extends { updatedAt: number }>(row: R, over: Partial<Local<R>> = {}): Local<R> => ({ ...row, clerkUpdatedAt: row.updatedAt, syncSource: "resync", ...over });

function snapshot(s: Partial<MappedSnapshot>): MappedSnapshot {
  return { users: [], organizations: [], memberships: [], invalid: [], ...s };
}
function local(s: Partial<LocalState>): LocalState {
  return { users: [], organizations: [], memberships: [], ...s };
}

test("planEntity sorts rows into create, update (with changed fields), unchanged and stale", () => {
  const p = planEntity([user("user_a"), user("user_b", { firstName: "New", updatedAt: 2 }), user("user_c")], [synced(user("user_b")), synced(user("user_c")), synced(user("user_d"))], USER_FIELDS, new Set());
  assert.deepEqual(p.create.map((r) => r.id), ["user_a"]);
  assert.deepEqual(p.update.map((u) => [u.row.id, u.changed, u.before]), [["user_b", ["firstName", "updatedAt", "clerkUpdatedAt"], { firstName: "F", updatedAt: 1, clerkUpdatedAt: 1 }]]);
  assert.equal(p.unchanged, 1);
  assert.deepEqual(p.stale, ["user_d"]);
});

test("ids Clerk listed but that failed validation are never stale", () => {
  const p = planEntity([], [synced(user("user_x"))], USER_FIELDS, new Set(["user_x"]));
  assert.deepEqual(p.stale, []);
});

test("duplicates from offset paging count once", () => {
  const p = planEntity([user("user_a"), user("user_a")], [], USER_FIELDS, new Set());
  assert.equal(p.create.length, 1);
});

test("a membership Clerk re-created under a new id is re-keyed, not deleted and re-inserted", () => {
  const clerk = snapshot({ users: [user("user_a")], organizations: [org("org_1")], memberships: [mem("orgmem_new", "org_1", "user_a", { role: "org:admin", updatedAt: 5 })] });
  const db = local({ users: [synced(user("user_a"))], organizations: [synced(org("org_1"))], memberships: [synced(mem("orgmem_old", "org_1", "user_a"))] });
  const plan = planSync(clerk, db, presentIdsOf(clerk));
  assert.deepEqual(plan.memberships.create, []);
  assert.deepEqual(plan.memberships.stale, []);
  assert.deepEqual(plan.memberships.update.map((u) => [u.previousId, u.row.id, u.changed]), [["orgmem_old", "orgmem_new", ["id", "role", "updatedAt", "clerkUpdatedAt"]]]);
});

test("memberships referencing a user or organization outside the sync are reported, not planned", () => {
  const clerk = snapshot({ users: [user("user_a")], organizations: [org("org_1")], memberships: [mem("orgmem_1", "org_1", "user_zz"), mem("orgmem_2", "org_zz", "user_a")] });
  const plan = planSync(clerk, local({}), presentIdsOf(clerk));
  assert.deepEqual(plan.memberships.create, []);
  assert.deepEqual(plan.invalid.map((i) => [i.id, /references (user user_zz|organization org_zz)/.test(i.reason)]), [["orgmem_1", true], ["orgmem_2", true]]);
});

test("confirmed-present ids leave the stale lists; withoutDeletes clears them; drift and shares", () => {
  const clerk = snapshot({ users: [user("user_a")] });
  const db = local({ users: [synced(user("user_a")), synced(user("user_b")), synced(user("user_c"))] });
  const plan = planSync(clerk, db, presentIdsOf(clerk));
  assert.deepEqual(plan.users.stale, ["user_b", "user_c"]);
  assert.ok(hasDrift(plan));
  assert.deepEqual(deleteShare(plan, { users: 3, organizations: 0, memberships: 0 })[0], { entity: "users", stale: 2, local: 3, share: 2 / 3 });
  const confirmed = withoutStillPresent(plan, { users: new Set(["user_b"]), organizations: new Set(), memberships: new Set() });
  assert.deepEqual(confirmed.users.stale, ["user_c"]);
  assert.equal(hasDrift(withoutDeletes(plan)), false);
});

test("planning is pure: same inputs, same plan, inputs untouched", () => {
  const clerk = snapshot({ users: [user("user_a", { firstName: "Z" })], organizations: [org("org_1")] });
  const db = local({ users: [synced(user("user_a"))] });
  const frozen = JSON.stringify([clerk, db]);
  assert.deepEqual(planSync(clerk, db, presentIdsOf(clerk)), planSync(clerk, db, presentIdsOf(clerk)));
  assert.equal(JSON.stringify([clerk, db]), frozen);
});

test("a newer copy from Clerk is kept, not drift; a local edit (even with a bumped updatedAt) is an update", () => {
  const clerk = snapshot({ users: [user("user_raced", { firstName: "Listed", updatedAt: 10 }), user("user_edited", { updatedAt: 10 }), user("user_unknown", { updatedAt: 10 })] });
  const db = local({
    // A webhook wrote Clerk's copy at 20 while the listing (10) was in flight.
    users: [
      synced(user("user_raced", { firstName: "Webhook", updatedAt: 20 }), { syncSource: "webhook" }),
      // The app edited a mirrored field and bumped updatedAt; clerkUpdatedAt still says 10.
      synced(user("user_edited", { updatedAt: 10 }), { firstName: "Local", updatedAt: 99 }),
      // Inserted by a person: no Clerk path wrote it.
      { ...user("user_unknown", { firstName: "Hand", updatedAt: 50 }), clerkUpdatedAt: null, syncSource: null },
    ],
  });
  const plan = planSync(clerk, db, presentIdsOf(clerk));
  assert.deepEqual(plan.users.kept.map((k) => [k.local.id, k.listedUpdatedAt]), [["user_raced", 10]]);
  assert.deepEqual(
    plan.users.update.map((u) => [u.row.id, u.changed]),
    [
      ["user_edited", ["firstName", "updatedAt"]],
      ["user_unknown", ["firstName", "updatedAt", "clerkUpdatedAt"]],
    ],
  );
  assert.equal(hasDrift({ ...plan, users: { ...plan.users, update: [] } }), false, "a kept row alone is not drift");
});

test("metadata and permissions compare by value", () => {
  const clerk = snapshot({ users: [user("user_a")], organizations: [org("org_1")], memberships: [mem("orgmem_1", "org_1", "user_a", { permissions: ["a", "b"] })] });
  const db = local({ users: [synced(user("user_a"))], organizations: [synced(org("org_1"))], memberships: [synced(mem("orgmem_1", "org_1", "user_a", { permissions: ["a", "b"] }))] });
  assert.equal(hasDrift(planSync(clerk, db, presentIdsOf(clerk))), false);
  db.memberships[0]!.permissions = ["a"];
  assert.deepEqual(planSync(clerk, db, presentIdsOf(clerk)).memberships.update[0]?.changed, ["permissions"]);
});

test("creates and updates reach `ready` as they are planned: parents page by page, a membership once its user and organization are listed, and only those the end of the plan cannot change", () => {
  const got: string[] = [];
  const ready = {
    users: (u: { create: readonly UserRow[]; update: readonly UserRow[] }) => got.push(`users +${u.create.map((r) => r.id)} ~${u.update.map((r) => r.id)}`),
    organizations: (u: { create: readonly OrganizationRow[]; update: readonly OrganizationRow[] }) => got.push(`orgs +${u.create.map((r) => r.id)} ~${u.update.map((r) => r.id)}`),
    memberships: (u: { create: readonly MembershipRow[]; update: readonly MembershipRow[] }) => got.push(`mems +${u.create.map((r) => r.id)} ~${u.update.map((r) => r.id)}`),
  };
  const planner = createSyncPlanner(undefined, ready);
  // Pages listed before the database is read wait for it.
  planner.users([user("user_a"), user("user_b", { firstName: "New", updatedAt: 2 })]);
  planner.memberships([mem("orgmem_1", "org_1", "user_a"), mem("orgmem_new", "org_1", "user_b"), mem("orgmem_3", "org_1", "user_gone")]);
  assert.deepEqual(got, []);
  planner.compareWith(local({ users: [synced(user("user_b"))], memberships: [synced(mem("orgmem_old", "org_1", "user_b"))] }));
  assert.deepEqual(got, ["users +user_a ~user_b"]);
  // Listing org_1 releases orgmem_1 (both parents listed). orgmem_new takes the pair a local row
  // holds (re-keyed by the finished plan) and orgmem_3's user is not listed: both wait.
  planner.organizations([org("org_1")]);
  planner.users([user("user_a")]); // listed twice: nothing new
  assert.deepEqual(got, ["users +user_a ~user_b", "orgs +org_1 ~", "mems +orgmem_1 ~"]);
  planner.parentsListed({ users: new Set(["user_a", "user_b"]), organizations: new Set(["org_1"]) });
  assert.equal(got.length, 3, "user_gone is not in the sync: orgmem_3 is left for the finished plan");
  planner.memberships([mem("orgmem_4", "org_1", "user_a")]);
  assert.deepEqual(got.at(-1), "mems +orgmem_4 ~");
  const plan = planner.finish({ users: new Set(["user_a", "user_b"]), organizations: new Set(["org_1"]), memberships: new Set(["orgmem_1", "orgmem_new", "orgmem_3", "orgmem_4"]) }, []);
  assert.deepEqual(plan.memberships.update.map((u) => [u.previousId, u.row.id]), [["orgmem_old", "orgmem_new"]]);
  assert.deepEqual(plan.invalid.map((i) => i.id), ["orgmem_3"]);
});

test("planned from ids, each page bringing its rows, the plan is the one a whole read gives; a row deleted after its id was read is left to the next run", () => {
  const local: LocalState = {
    users: [synced(user("user_same")), synced(user("user_old", { firstName: "Old" })), synced(user("user_gone")), synced(user("user_stale"))],
    organizations: [synced(org("org_1"))],
    memberships: [synced(mem("orgmem_1", "org_1", "user_same"))],
  };
  const clerk = {
    users: [user("user_same"), user("user_old", { firstName: "New" }), user("user_new"), user("user_gone")],
    organizations: [org("org_1", { name: "Renamed" })],
    memberships: [mem("orgmem_1", "org_1", "user_same"), mem("orgmem_2", "org_1", "user_gone")],
  };
  const present = presentIdsOf(clerk);
  const gone = (rows: { id: string }[]) => rows.filter((r) => r.id !== "user_gone" && r.id !== "orgmem_2");
  // What a whole read after the delete would plan.
  const whole = planSync({ users: gone(clerk.users) as UserRow[], organizations: clerk.organizations, memberships: gone(clerk.memberships) as MembershipRow[], invalid: [] }, { ...local, users: gone(local.users) as Local<UserRow>[] }, present);

  const planner = createSyncPlanner();
  planner.compareWithIndex({ users: local.users.map((u) => u.id), organizations: local.organizations.map((o) => o.id), memberships: local.memberships });
  const byId = <R extends { id: string }>(rows: R[]) => new Map(rows.map((r) => [r.id, r]));
  assert.deepEqual(planner.unread("users", clerk.users), ["user_same", "user_old", "user_gone"], "only the rows the page lists and the database holds are read");
  assert.throws(() => planner.users(clerk.users), /not read/, "a page of ids the database holds cannot be planned without its rows");
  // user_gone is deleted (a webhook) between the ids read and the page's read: its row does not come back.
  planner.users(clerk.users, byId(local.users.filter((u) => u.id !== "user_gone")));
  planner.organizations(clerk.organizations, byId(local.organizations));
  planner.memberships(clerk.memberships);
  const paged = planner.finish(present, []);

  assert.deepEqual(paged.users, whole.users);
  assert.deepEqual(paged.organizations, whole.organizations);
  assert.deepEqual(paged.memberships, whole.memberships);
  assert.deepEqual(paged.users.create.map((u) => u.id), ["user_new"], "the deleted user is not created again");
  assert.deepEqual(paged.users.stale, ["user_stale"]);
  assert.deepEqual(paged.invalid.map((i) => i.id), ["orgmem_2"], "its membership waits for the next run");
});

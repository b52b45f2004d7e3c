import assert from "node:assert/strict";
import { test } from "node:test";
import { deleteShare, hasDrift, planEntity, planSync, presentIdsOf, withoutDeletes, withoutStillPresent } from "../../src/sync/plan.ts";
import { USER_FIELDS, type LocalState, type MappedSnapshot, type MembershipRow, type OrganizationRow, type UserRow } from "../../src/sync/rows.ts";

const user = (id: string, over: Partial<UserRow> = {}): UserRow => ({ id, email: `${id}@x.test`, firstName: "F", lastName: "L", username: null, imageUrl: null, createdAt: 1, updatedAt: 1, ...over });
const org = (id: string, over: Partial<OrganizationRow> = {}): OrganizationRow => ({ id, name: id, slug: id, imageUrl: null, createdAt: 1, updatedAt: 1, ...over });
const mem = (id: string, organizationId: string, userId: string, over: Partial<MembershipRow> = {}): MembershipRow => ({ id, organizationId, userId, role: "org:member", createdAt: 1, updatedAt: 1, ...over });

function snapshot(s: Partial<MappedSnapshot>): MappedSnapshot {
  return { users: [], organizations: [], memberships: [], invalid: [], ...s };
}
function local(s: Partial<LocalState>): LocalState {
  return { users: [], organizations: [], memberships: [], ...s };
}

test("planEntity sorts rows into create, update (with changed fields), unchanged and stale", () => {
  const p = planEntity([user("user_a"), user("user_b", { firstName: "New", updatedAt: 2 }), user("user_c")], [user("user_b"), user("user_c"), user("user_d")], USER_FIELDS, new Set());
  assert.deepEqual(p.create.map((r) => r.id), ["user_a"]);
  assert.deepEqual(p.update.map((u) => [u.row.id, u.changed]), [["user_b", ["firstName", "updatedAt"]]]);
  assert.equal(p.unchanged, 1);
  assert.deepEqual(p.stale, ["user_d"]);
});

test("ids Clerk listed but that failed validation are never stale", () => {
  const p = planEntity([], [user("user_x")], USER_FIELDS, new Set(["user_x"]));
  assert.deepEqual(p.stale, []);
});

test("duplicates from offset paging count once", () => {
  const p = planEntity([user("user_a"), user("user_a")], [], USER_FIELDS, new Set());
  assert.equal(p.create.length, 1);
});

test("a membership Clerk re-created under a new id is re-keyed, not deleted and re-inserted", () => {
  const clerk = snapshot({ users: [user("user_a")], organizations: [org("org_1")], memberships: [mem("orgmem_new", "org_1", "user_a", { role: "org:admin", updatedAt: 5 })] });
  const db = local({ users: [user("user_a")], organizations: [org("org_1")], memberships: [mem("orgmem_old", "org_1", "user_a")] });
  const plan = planSync(clerk, db, presentIdsOf(clerk));
  assert.deepEqual(plan.memberships.create, []);
  assert.deepEqual(plan.memberships.stale, []);
  assert.deepEqual(plan.memberships.update.map((u) => [u.previousId, u.row.id, u.changed]), [["orgmem_old", "orgmem_new", ["id", "role", "updatedAt"]]]);
});

test("memberships referencing a user or organization outside the sync are reported, not planned", () => {
  const clerk = snapshot({ users: [user("user_a")], organizations: [org("org_1")], memberships: [mem("orgmem_1", "org_1", "user_zz"), mem("orgmem_2", "org_zz", "user_a")] });
  const plan = planSync(clerk, local({}), presentIdsOf(clerk));
  assert.deepEqual(plan.memberships.create, []);
  assert.deepEqual(plan.invalid.map((i) => [i.id, /references (user user_zz|organization org_zz)/.test(i.reason)]), [["orgmem_1", true], ["orgmem_2", true]]);
});

test("confirmed-present ids leave the stale lists; withoutDeletes clears them; drift and shares", () => {
  const clerk = snapshot({ users: [user("user_a")] });
  const db = local({ users: [user("user_a"), user("user_b"), user("user_c")] });
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
  const db = local({ users: [user("user_a")] });
  const frozen = JSON.stringify([clerk, db]);
  assert.deepEqual(planSync(clerk, db, presentIdsOf(clerk)), planSync(clerk, db, presentIdsOf(clerk)));
  assert.equal(JSON.stringify([clerk, db]), frozen);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ClerkUser } from "../../src/clerk/types.ts";
import { UNMAPPED_BY_DEFAULT, USER } from "../../src/mirror/columns.ts";
import { mirrorFromMapping } from "../../src/mirror/mapping.ts";
import { mapSnapshot } from "../../src/sync/map.ts";

const clerkUser = (over: Partial<ClerkUser> = {}): ClerkUser => ({
  id: "user_1",
  externalId: null,
  firstName: "Zoë",
  lastName: "Müller",
  username: null,
  imageUrl: "https://img/1",
  primaryEmailAddressId: "idn_2",
  emailAddresses: [
    { id: "idn_1", emailAddress: "old@x.test" },
    { id: "idn_2", emailAddress: "primary@x.test" },
  ],
  primaryPhoneNumberId: null,
  phoneNumbers: [],
  publicMetadata: {},
  privateMetadata: {},
  banned: false,
  locked: false,
  lastSignInAt: null,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_500,
  ...over,
});

test("the primary email is resolved from primary_email_address_id, not the first address", () => {
  const { users, invalid } = mapSnapshot({ users: [clerkUser()], organizations: [], memberships: [] });
  assert.deepEqual(invalid, []);
  assert.deepEqual(users[0], {
    id: "user_1",
    email: "primary@x.test",
    phoneNumber: null,
    firstName: "Zoë",
    lastName: "Müller",
    username: null,
    imageUrl: "https://img/1",
    externalId: null,
    publicMetadata: "{}",
    privateMetadata: null,
    banned: false,
    locked: false,
    lastSignInAt: null,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_500,
  });
});

test("users without email map to a null email", () => {
  const { users } = mapSnapshot({ users: [clerkUser({ primaryEmailAddressId: null, emailAddresses: [], username: "phone_only" })], organizations: [], memberships: [] });
  assert.equal(users[0]?.email, null);
});

test("invalid records are reported with id and reason, never half-mapped", () => {
  const { users, organizations, memberships, invalid } = mapSnapshot({
    users: [clerkUser({ id: "user_bad", createdAt: "yesterday" as unknown as number }), clerkUser({ id: "user_nop", primaryEmailAddressId: "idn_9" })],
    organizations: [{ id: "org_1", name: "", slug: "s", imageUrl: "i", publicMetadata: {}, privateMetadata: {}, maxAllowedMemberships: 0, createdAt: 1, updatedAt: 1 }],
    memberships: [{ id: "orgmem_1", role: "org:admin", permissions: [], publicMetadata: {}, privateMetadata: {}, createdAt: 1, updatedAt: 1, organization: { id: "org_1" }, publicUserData: null }],
  });
  assert.equal(users.length + organizations.length + memberships.length, 0);
  assert.deepEqual(
    invalid.map((i) => [i.entity, i.id]),
    [["user", "user_bad"], ["user", "user_nop"], ["organization", "org_1"], ["membership", "orgmem_1"]],
  );
  assert.match(invalid[0]!.reason, /createdAt/);
  assert.match(invalid[1]!.reason, /idn_9 matches none/);
  assert.match(invalid[2]!.reason, /name is empty/);
  assert.match(invalid[3]!.reason, /publicUserData/);
});

test("a non-primary email address without an id (optional in the spec) or with a bad address does not make the user invalid", () => {
  const user = clerkUser({
    emailAddresses: [
      { emailAddress: "no-id@x.test" } as ClerkUser["emailAddresses"][number],
      { id: "idn_2", emailAddress: "primary@x.test" },
      { id: "idn_3", emailAddress: undefined } as unknown as ClerkUser["emailAddresses"][number],
    ],
  });
  const { users, invalid } = mapSnapshot({ users: [user], organizations: [], memberships: [] });
  assert.deepEqual(invalid, []);
  assert.equal(users[0]?.email, "primary@x.test");
});

test("what the mirror keeps is still checked: a primary address that is not an email makes the user invalid", () => {
  const user = clerkUser({ emailAddresses: [{ id: "idn_2", emailAddress: "not-an-email" }] });
  const { users, invalid } = mapSnapshot({ users: [user], organizations: [], memberships: [] });
  assert.equal(users.length, 0);
  assert.deepEqual(invalid.map((i) => [i.id, i.reason]), [["user_1", "emailAddresses.0.emailAddress is not an email address"]]);
});

test("a membership without public user data is reported alone; the others map", () => {
  const m = (id: string, publicUserData: { userId: string } | null | undefined) => ({ id, role: "org:member", permissions: [], publicMetadata: {}, privateMetadata: {}, createdAt: 1, updatedAt: 1, organization: { id: "org_1" }, publicUserData });
  const { memberships, invalid } = mapSnapshot({ users: [], organizations: [], memberships: [m("orgmem_a", { userId: "user_1" }), m("orgmem_b", undefined), m("orgmem_c", { userId: "user_2" })] });
  assert.deepEqual(memberships.map((x) => x.id), ["orgmem_a", "orgmem_c"]);
  assert.deepEqual(invalid, [{ entity: "membership", id: "orgmem_b", reason: "publicUserData is missing" }]);
});

test("metadata maps to canonical JSON text; private metadata only when mirrored; the primary phone is resolved", () => {
  const rich = clerkUser({
    publicMetadata: { z: 1, a: { y: [1, "ß"], b: null } },
    privateMetadata: { secret: "s" },
    primaryPhoneNumberId: "idn_p2",
    phoneNumbers: [
      { id: "idn_p1", phoneNumber: "+15550000001" },
      { id: "idn_p2", phoneNumber: "+15550000002" },
    ],
  });
  const off = mapSnapshot({ users: [rich], organizations: [], memberships: [] });
  assert.equal(off.users[0]?.publicMetadata, '{"a":{"b":null,"y":[1,"ß"]},"z":1}');
  assert.equal(off.users[0]?.privateMetadata, null);
  assert.equal(off.users[0]?.phoneNumber, "+15550000002");
  const on = mapSnapshot({ users: [rich], organizations: [], memberships: [] }, { privateMetadata: true });
  assert.equal(on.users[0]?.privateMetadata, '{"secret":"s"}');
});

test("metadata PostgreSQL cannot store (U+0000) and a dangling primary phone are reported, not written", () => {
  const { users, invalid } = mapSnapshot({
    users: [clerkUser({ id: "user_nul", publicMetadata: { bad: "a\u0000b" } }), clerkUser({ id: "user_ok", publicMetadata: { fine: "a\\u0000b" } }), clerkUser({ id: "user_ph", primaryPhoneNumberId: "idn_x" })],
    organizations: [],
    memberships: [],
  });
  assert.deepEqual(users.map((u) => u.id), ["user_ok"]);
  assert.match(invalid.find((i) => i.id === "user_nul")!.reason, /publicMetadata contains U\+0000/);
  assert.match(invalid.find((i) => i.id === "user_ph")!.reason, /idn_x matches none of the user's phone numbers/);
});

test("every field the column registry can map comes out of the mapper; unsafe metadata and picked values only when the mapping keeps them", () => {
  const userFields = [...USER.compared, ...UNMAPPED_BY_DEFAULT.users].map((c) => c.field);
  const mirror = mirrorFromMapping({
    users: { fields: { ...Object.fromEntries(userFields.map((f) => [f, f])), "publicMetadata.plan": "plan", "unsafeMetadata.a.b": "ab", "privateMetadata.x": "x" } },
  });
  const user = clerkUser({ publicMetadata: { plan: "pro" }, unsafeMetadata: { a: { b: [1, { c: true }] } }, privateMetadata: { x: null } });
  const [row] = mapSnapshot({ users: [user], organizations: [], memberships: [] }, { privateMetadata: true, mirror }).users;
  for (const field of userFields) assert.notEqual((row as unknown as Record<string, unknown>)[field], undefined, field);
  assert.equal(row!.unsafeMetadata, '{"a":{"b":[1,{"c":true}]}}');
  assert.deepEqual([row!["publicMetadata.plan"], row!["unsafeMetadata.a.b"], row!["privateMetadata.x"]], ['"pro"', '[1,{"c":true}]', null], "JSON text; JSON null is NULL");
  const [plain] = mapSnapshot({ users: [user], organizations: [], memberships: [] }).users;
  assert.equal("unsafeMetadata" in plain!, false, "clerk-resync's own schema: not read");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ClerkUser } from "../../src/clerk/types.ts";
import { mapSnapshot } from "../../src/sync/map.ts";

const clerkUser = (over: Partial<ClerkUser> = {}): ClerkUser => ({
  id: "user_1",
  firstName: "Zoë",
  lastName: "Müller",
  username: null,
  imageUrl: "https://img/1",
  primaryEmailAddressId: "idn_2",
  emailAddresses: [
    { id: "idn_1", emailAddress: "old@x.test" },
    { id: "idn_2", emailAddress: "primary@x.test" },
  ],
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_500,
  ...over,
});

test("the primary email is resolved from primary_email_address_id, not the first address", () => {
  const { users, invalid } = mapSnapshot({ users: [clerkUser()], organizations: [], memberships: [] });
  assert.deepEqual(invalid, []);
  assert.deepEqual(users[0], { id: "user_1", email: "primary@x.test", firstName: "Zoë", lastName: "Müller", username: null, imageUrl: "https://img/1", createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_500 });
});

test("users without email map to a null email", () => {
  const { users } = mapSnapshot({ users: [clerkUser({ primaryEmailAddressId: null, emailAddresses: [], username: "phone_only" })], organizations: [], memberships: [] });
  assert.equal(users[0]?.email, null);
});

test("invalid records are reported with id and reason, never half-mapped", () => {
  const { users, organizations, memberships, invalid } = mapSnapshot({
    users: [clerkUser({ id: "user_bad", createdAt: "yesterday" as unknown as number }), clerkUser({ id: "user_nop", primaryEmailAddressId: "idn_9" })],
    organizations: [{ id: "org_1", name: "", slug: "s", imageUrl: "i", createdAt: 1, updatedAt: 1 }],
    memberships: [{ id: "orgmem_1", role: "org:admin", createdAt: 1, updatedAt: 1, organization: { id: "org_1" }, publicUserData: null }],
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
  const m = (id: string, publicUserData: { userId: string } | null | undefined) => ({ id, role: "org:member", createdAt: 1, updatedAt: 1, organization: { id: "org_1" }, publicUserData });
  const { memberships, invalid } = mapSnapshot({ users: [], organizations: [], memberships: [m("orgmem_a", { userId: "user_1" }), m("orgmem_b", undefined), m("orgmem_c", { userId: "user_2" })] });
  assert.deepEqual(memberships.map((x) => x.id), ["orgmem_a", "orgmem_c"]);
  assert.deepEqual(invalid, [{ entity: "membership", id: "orgmem_b", reason: "publicUserData is missing" }]);
});

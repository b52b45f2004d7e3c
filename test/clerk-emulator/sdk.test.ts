import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { isClerkAPIResponseError } from "@clerk/backend/errors";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { sdkFor, startTestEmulator } from "../support/emulator.ts";

let emu: RunningEmulator;
before(async () => {
  emu = await startTestEmulator({ users: 1000, orgs: 50, membershipsPerOrg: 8 });
});
after(async () => {
  await emu.close();
});

test("the real SDK pages through 1000 users completely; totals match", async () => {
  const clerk = sdkFor(emu);
  const seen = new Set<string>();
  let total = -1;
  for (let offset = 0; ; offset += 500) {
    const page = await clerk.users.getUserList({ limit: 500, offset });
    total = page.totalCount;
    for (const u of page.data) seen.add(u.id);
    if (page.data.length < 500) break;
  }
  assert.equal(total, 1000);
  assert.equal(seen.size, 1000);
  const withEmail = [...emu.store.users.values()].filter((u) => u.primaryEmailId);
  assert.ok(withEmail.length > 800 && withEmail.length < 1000, "some users have no email");
});

test("users come back fully populated: primary email resolves, timestamps are ms", async () => {
  const clerk = sdkFor(emu);
  const { data } = await clerk.users.getUserList({ limit: 200 });
  const multi = data.find((u) => u.emailAddresses.length > 1);
  assert.ok(multi, "a user with several emails exists");
  const record = emu.store.users.get(multi.id)!;
  assert.equal(multi.primaryEmailAddress?.emailAddress, emu.store.primaryEmail(record));
  assert.equal(multi.createdAt, record.createdAt);
  assert.ok(multi.createdAt > Date.UTC(2023, 0, 1) && multi.createdAt < Date.UTC(2030, 0, 1), "epoch ms");
  const phoneOnly = data.find((u) => u.emailAddresses.length === 0);
  assert.ok(phoneOnly, "a user without email exists");
  assert.equal(phoneOnly.primaryEmailAddress, null);
  const one = await clerk.users.getUser(multi.id);
  assert.equal(one.id, multi.id);
  assert.deepEqual(one.publicMetadata, record.publicMetadata);
});

test("organizations and both membership lists page completely through the SDK", async () => {
  const clerk = sdkFor(emu);
  const orgs = await clerk.organizations.getOrganizationList({ limit: 500, includeMembersCount: true });
  assert.equal(orgs.totalCount, 50);
  assert.equal(orgs.data.length, 50);
  assert.ok(orgs.data.every((o) => typeof o.slug === "string" && o.slug.length > 0));
  assert.equal(orgs.data.reduce((n, o) => n + (o.membersCount ?? 0), 0), 400);

  const all = await clerk.organizations.getInstanceOrganizationMembershipList({ limit: 500 });
  assert.equal(all.totalCount, 400);
  assert.equal(all.data.length, 400);
  const m = all.data[0]!;
  assert.match(m.id, /^orgmem_/);
  assert.match(m.organization.id, /^org_/);
  assert.match(m.publicUserData?.userId ?? "", /^user_/);
  assert.ok(new Set(all.data.map((x) => x.role)).size >= 3, "several roles");

  const org = orgs.data[0]!;
  const per = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, limit: 500 });
  assert.equal(per.totalCount, 8);
  assert.ok(per.data.every((x) => x.organization.id === org.id));
  const got = await clerk.organizations.getOrganization({ organizationId: org.id });
  assert.equal(got.name, org.name);
  const bySlug = await clerk.organizations.getOrganization({ slug: org.slug });
  assert.equal(bySlug.id, org.id);
});

test("create, update and delete through the SDK keep Clerk's invariants", async () => {
  const clerk = sdkFor(emu);
  const user = await clerk.users.createUser({ emailAddress: ["new.person@example.com"], firstName: "New", lastName: "Person", skipPasswordRequirement: true });
  assert.equal(user.primaryEmailAddress?.emailAddress, "new.person@example.com");
  await assert.rejects(clerk.users.createUser({ emailAddress: ["new.person@example.com"], skipPasswordRequirement: true }), (err: unknown) => {
    assert.ok(isClerkAPIResponseError(err));
    assert.equal(err.status, 422);
    assert.equal(err.errors[0]?.code, "form_identifier_exists");
    assert.equal(err.errors[0]?.meta?.paramName, "email_address");
    return true;
  });
  const updated = await clerk.users.updateUser(user.id, { firstName: "Renamed" });
  assert.equal(updated.firstName, "Renamed");
  assert.ok(updated.updatedAt > user.updatedAt, "updated_at moves forward");
  assert.equal(updated.createdAt, user.createdAt);

  const org = await clerk.organizations.createOrganization({ name: "Fresh Org", createdBy: user.id });
  assert.equal(org.slug, "fresh-org");
  const members = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  assert.deepEqual(members.data.map((m) => [m.publicUserData?.userId, m.role]), [[user.id, "org:admin"]]);
  await assert.rejects(clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: "org:member" }), (err: unknown) => {
    assert.ok(isClerkAPIResponseError(err));
    assert.equal(err.status, 400);
    assert.equal(err.errors[0]?.code, "already_a_member_in_organization");
    return true;
  });
  const changed = await clerk.organizations.updateOrganizationMembership({ organizationId: org.id, userId: user.id, role: "org:member" });
  assert.equal(changed.role, "org:member");

  const del = await clerk.users.deleteUser(user.id);
  assert.equal((del as unknown as { deleted: boolean }).deleted, true, "the SDK types it as User, the wire says DeletedObject");
  assert.equal(del.id, user.id);
  assert.equal((await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id })).totalCount, 0, "memberships go with the user");
  await assert.rejects(clerk.users.getUser(user.id), (err: unknown) => {
    assert.ok(isClerkAPIResponseError(err));
    assert.equal(err.status, 404);
    assert.equal(err.errors[0]?.longMessage, `No user was found with id ${user.id}`);
    assert.ok(err.clerkTraceId, "trace id present");
    return true;
  });
  const orgDel = await clerk.organizations.deleteOrganization(org.id);
  assert.equal((orgDel as unknown as { deleted: boolean }).deleted, true);
});

test("a wrong key is a 401 clerk_key_invalid; a missing header is authorization_header_format_invalid", async () => {
  const { createClerkClient } = await import("@clerk/backend");
  const bad = createClerkClient({ secretKey: "sk_test_wrong", apiUrl: emu.url });
  await assert.rejects(bad.users.getCount(), (err: unknown) => {
    assert.ok(isClerkAPIResponseError(err));
    assert.equal(err.status, 401);
    assert.equal(err.errors[0]?.code, "clerk_key_invalid");
    return true;
  });
  const res = await fetch(`${emu.url}/v1/users`);
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = (await res.json()) as { errors: { code: string }[]; clerk_trace_id: string };
  assert.equal(body.errors[0]?.code, "authorization_header_format_invalid");
  assert.ok(body.clerk_trace_id);
});

test("limit=501 and a bad order_by are 422s the SDK surfaces", async () => {
  const clerk = sdkFor(emu);
  await assert.rejects(clerk.organizations.getOrganizationList({ limit: 501 }), (err: unknown) => {
    assert.ok(isClerkAPIResponseError(err));
    assert.equal(err.status, 422);
    assert.equal(err.errors[0]?.code, "form_param_value_invalid");
    return true;
  });
  await assert.rejects(clerk.organizations.getOrganizationList({ orderBy: "+slug" as "name" }), (err: unknown) => isClerkAPIResponseError(err) && err.status === 422);
});

test("a 429 carries Retry-After, and the SDK surfaces it as retryAfter", async () => {
  const clerk = sdkFor(emu);
  emu.setRateLimit({ requests: 3, windowMs: 60_000 });
  try {
    let caught: unknown;
    for (let i = 0; i < 5 && !caught; i++) {
      try {
        await clerk.organizations.getOrganizationList({ limit: 1 });
      } catch (err) {
        caught = err;
      }
    }
    assert.ok(isClerkAPIResponseError(caught), "rate limited");
    assert.equal(caught.status, 429);
    assert.ok(caught.retryAfter && caught.retryAfter >= 1 && caught.retryAfter <= 60, `retryAfter=${caught.retryAfter}`);
  } finally {
    emu.setRateLimit(false);
  }
});

test("metadata through PATCH …/metadata (the SDK's updateUserMetadata: a deep merge, null removes a key) and PUT …/metadata (each field sent replaced)", async () => {
  const clerk = sdkFor(emu);
  const [user] = [...emu.store.users.values()];
  await clerk.users.updateUserMetadata(user!.id, { publicMetadata: { plan: "pro", limits: { seats: 5, storage: 10 } }, unsafeMetadata: { theme: "dark" } });
  const merged = await clerk.users.updateUserMetadata(user!.id, { publicMetadata: { limits: { seats: 6, storage: null } } });
  assert.deepEqual(merged.publicMetadata, { ...user!.publicMetadata, plan: "pro", limits: { seats: 6 } });
  assert.deepEqual(merged.unsafeMetadata, { theme: "dark" }, "a field not sent is untouched");
  const put = await fetch(`${emu.url}/v1/users/${user!.id}/metadata`, { method: "PUT", headers: { authorization: `Bearer ${emu.secretKey}`, "content-type": "application/json" }, body: JSON.stringify({ public_metadata: { plan: "team" } }) });
  assert.equal(put.status, 200);
  assert.deepEqual(((await put.json()) as { public_metadata: unknown }).public_metadata, { plan: "team" }, "PUT replaces the field");
  assert.deepEqual(emu.store.users.get(user!.id)!.unsafeMetadata, { theme: "dark" });
  const [org] = [...emu.store.organizations.values()];
  const orgMerged = await clerk.organizations.updateOrganizationMetadata(org!.id, { publicMetadata: { tier: "gold" } });
  assert.equal(orgMerged.publicMetadata?.tier, "gold");
  await assert.rejects(clerk.users.updateUserMetadata(user!.id, { publicMetadata: "no" as never }), (err: unknown) => isClerkAPIResponseError(err) && err.status === 422);
});

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { isClerkAPIResponseError } from "@clerk/backend/errors";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { sdkFor, startTestEmulator } from "../support/emulator.ts";

let emu: RunningEmulator;
before(async () => {
  emu = await startTestEmulator({ users: 30, orgs: 3, membershipsPerOrg: 2 });
});
after(async () => {
  await emu.close();
});

test("the Nth matching request fails with the configured status, the others pass", async () => {
  const clerk = sdkFor(emu);
  emu.faults.set([{ route: "GET /organizations", nth: 2, times: 2, status: 503 }]);
  const statuses: (number | undefined)[] = [];
  for (let i = 0; i < 4; i++) {
    try {
      await clerk.organizations.getOrganizationList();
      statuses.push(200);
    } catch (err) {
      assert.ok(isClerkAPIResponseError(err));
      statuses.push(err.status);
      if (err.status === 503) assert.equal(err.errors[0]?.code, "maintenance_mode");
    }
  }
  assert.deepEqual(statuses, [200, 503, 503, 200]);
  emu.faults.clear();
});

test("latency is added to matching requests only", async () => {
  emu.faults.set([{ route: "GET /users/count", latencyMs: 600, times: Infinity }]);
  const clerk = sdkFor(emu);
  let t = performance.now();
  await clerk.users.getCount();
  assert.ok(performance.now() - t >= 590, "count was delayed");
  t = performance.now();
  await clerk.organizations.getOrganizationList();
  assert.ok(performance.now() - t < 500, "other routes were not");
  emu.faults.clear();
});

test("a dropped connection mid-response surfaces as a network error, status undefined", async () => {
  emu.faults.set([{ route: "GET /organization_memberships", drop: true }]);
  const clerk = sdkFor(emu);
  await assert.rejects(clerk.organizations.getInstanceOrganizationMembershipList({}), (err: unknown) => {
    assert.ok(isClerkAPIResponseError(err));
    assert.equal(err.status, undefined);
    return true;
  });
  const ok = await clerk.organizations.getInstanceOrganizationMembershipList({});
  assert.equal(ok.totalCount, 6);
  emu.faults.clear();
});

test("a mutate hook changes the data between pages", async () => {
  const victim = [...emu.store.users.values()][0]!;
  emu.faults.set([{ route: "GET /users", nth: 2, mutate: (s) => s.deleteUser(victim.id) }]);
  const clerk = sdkFor(emu);
  await clerk.users.getUserList({ limit: 1 });
  assert.ok(emu.store.users.has(victim.id));
  await clerk.users.getUserList({ limit: 1 });
  assert.equal(emu.store.users.has(victim.id), false);
  emu.faults.clear();
});

test("rate limiting like Clerk's: sk_test_ keys get 100 requests per 10 s", async () => {
  emu.setRateLimit("clerk");
  try {
    const headers = { Authorization: `Bearer ${emu.secretKey}` };
    const statuses = await Promise.all(Array.from({ length: 105 }, () => fetch(`${emu.url}/v1/users/count`, { headers }).then((r) => r.status)));
    assert.equal(statuses.filter((s) => s === 200).length, 100);
    assert.equal(statuses.filter((s) => s === 429).length, 5);
    const res = await fetch(`${emu.url}/v1/users/count`, { headers });
    assert.equal(res.status, 429);
    const retryAfter = Number(res.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${retryAfter}`);
  } finally {
    emu.setRateLimit(false);
  }
});

// Users listed by several cursor chains at once, against the emulator over HTTP: every user that
// exists throughout is listed once, whatever is created or deleted between pages.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { ClerkUser } from "../../src/clerk/types.ts";
import { seededRandom } from "../../src/clerk-emulator/ids.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import type { EmulatorStore } from "../../src/clerk-emulator/store.ts";
import { planLanes } from "../../src/sync/lanes.ts";
import { chainOffsets, fetchUsersInChains } from "../../src/sync/fetch-users.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { apiFor } from "../support/sync.ts";

const running: RunningEmulator[] = [];
after(async () => {
  for (const e of running) await e.close();
});

async function emulator(users: number, seed: number): Promise<RunningEmulator> {
  const emu = await startTestEmulator({ users, orgs: 0, membershipsPerOrg: 0, seed });
  running.push(emu);
  return emu;
}

async function listInChains(emu: RunningEmulator, chains: number) {
  const api = apiFor(emu);
  const listed: string[] = [];
  await fetchUsersInChains(api, chainOffsets(emu.store.users.size, chains), undefined, undefined, (page: ClerkUser[]) => listed.push(...page.map((u) => u.id)));
  return { listed, requests: api.stats.requests };
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

/** Users ordered the way the listing orders them. */
function ordered(store: EmulatorStore) {
  return [...store.users.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

test("K chains list every user exactly once, for no more requests than one chain (+1 at most)", async () => {
  for (const [users, chains] of [[2600, 4], [2499, 3], [2500, 5], [1000, 2], [501, 2], [4, 3]] as const) {
    const emu = await emulator(users, users);
    const one = await listInChains(emu, 1);
    const many = await listInChains(emu, chains);
    assert.equal(one.listed.length, users);
    assert.deepEqual([...many.listed].sort(), [...one.listed].sort(), `${users} users in ${chains} chains`);
    assert.deepEqual(duplicates(many.listed), []);
    assert.ok(many.requests <= one.requests + 1, `${users} users: ${many.requests} requests in ${chains} chains vs ${one.requests} in one`);
  }
});

test("under churn between pages (deletes, creates, the chains' own boundary and cursor users deleted), no user that existed throughout is missed or listed twice", async () => {
  const emu = await emulator(3200, 21);
  const before = new Set(emu.store.users.keys());
  const heads = chainOffsets(emu.store.users.size, 4);
  const sorted = ordered(emu.store);
  // The first users of chains 2 and 3 (their predecessors' boundaries) and a cursor user go first.
  const targeted = [sorted[heads[1]!]!.id, sorted[heads[2]!]!.id, sorted[heads[1]! + 499]!.id];
  const rnd = seededRandom(5);
  let created = 0;
  emu.faults.set([
    { route: "GET /users", nth: 5, mutate: (s) => targeted.forEach((id) => s.users.has(id) && s.deleteUser(id)) },
    {
      route: "GET /users",
      nth: 1,
      times: Infinity,
      mutate: (s) => {
        const ids = [...s.users.keys()];
        for (let i = 0; i < 3; i++) s.deleteUser(ids[Math.floor(rnd() * ids.length)]!);
        s.createUser({ emailAddresses: [`churn${created++}@example.com`] });
      },
    },
  ]);
  const { listed } = await listInChains(emu, 4);
  const throughout = [...before].filter((id) => emu.store.users.has(id));
  const got = new Set(listed);
  assert.deepEqual(throughout.filter((id) => !got.has(id)), [], "missed users that existed throughout");
  assert.deepEqual(duplicates(listed), []);
  assert.ok(created > 4 && throughout.length < before.size - 10, "the data really changed while paging");
});

test("users sharing a creation millisecond across chain boundaries are listed once; with a boundary user deleted meanwhile, none is missed", async () => {
  const emu = await emulator(0, 3);
  // 2000 users in 40 milliseconds: every boundary falls inside a run of ties.
  for (let i = 0; i < 2000; i++) emu.store.createUser({ emailAddresses: [`tie${i}@example.com`], createdAt: 1_700_000_000_000 + Math.floor(i / 50) });
  const all = await listInChains(emu, 4);
  assert.equal(all.listed.length, 2000);
  assert.deepEqual(duplicates(all.listed), []);

  const boundary = ordered(emu.store)[chainOffsets(2000, 4)[2]!]!.id;
  emu.faults.set([{ route: "GET /users", nth: 5, mutate: (s) => s.deleteUser(boundary) }]);
  const churned = await listInChains(emu, 4);
  const got = new Set(churned.listed);
  assert.deepEqual([...emu.store.users.keys()].filter((id) => !got.has(id)), []);
});

test("the emulator's created_at_before/after filter the list and the count, strictly, and combine with the cursor", async () => {
  const emu = await emulator(300, 9);
  const sorted = ordered(emu.store);
  const lo = sorted[100]!.createdAt;
  const hi = sorted[200]!.createdAt;
  const expected = sorted.filter((u) => u.createdAt > lo && u.createdAt < hi).map((u) => u.id);
  const get = async (q: string) => {
    const res = await fetch(`${emu.url}/v1/users${q}`, { headers: { Authorization: `Bearer ${emu.secretKey}` } });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const page = (await get(`?limit=500&order_by=%2Bcreated_at&created_at_after=${lo}&created_at_before=${hi}`)).body as { id: string }[];
  assert.deepEqual(page.map((u) => u.id), expected);
  const desc = (await get(`?limit=500&order_by=-created_at&created_at_after=${lo}&created_at_before=${hi}`)).body as { id: string }[];
  assert.deepEqual(desc.map((u) => u.id), [...expected].reverse());
  assert.deepEqual((await get(`/count?created_at_after=${lo}&created_at_before=${hi}`)).body, { object: "total_count", total_count: expected.length });
  const after = (await get(`?limit=10&order_by=%2Bcreated_at&created_at_before=${hi}&starting_after=${expected.at(-5)}`)).body as { id: string }[];
  assert.deepEqual(after.map((u) => u.id), expected.slice(-4));
  assert.equal((await get("?created_at_before=yesterday")).status, 422);
});

test("lanes follow the budget and the latency: one chain for a small instance, several at 150 ms", () => {
  const production = 1000 / 10_000;
  assert.deepEqual(planLanes({ users: 1, others: 2 }, 150, production), { lanes: 15, userChains: 1 });
  assert.deepEqual(planLanes({ users: 1, others: 2 }, 1, production), { lanes: 4, userChains: 1 });
  const large = planLanes({ users: 41, others: 61 }, 150, production);
  assert.equal(large.lanes, 15);
  assert.ok(large.userChains >= 5 && large.userChains <= 7, JSON.stringify(large));
  assert.equal(planLanes({ users: 41, others: 61 }, 150, 100 / 10_000).lanes, 4, "a development budget gains nothing from more lanes");
});

// The emulator in its own process for benchmarks, so the tool measured does not share its CPU
// time or heap with the fake Clerk. Driven over IPC by bench/run.ts.
import { generateDataset } from "../src/clerk-emulator/dataset.ts";
import { seededRandom } from "../src/clerk-emulator/ids.ts";
import { startClerkEmulator } from "../src/clerk-emulator/server.ts";
import { EmulatorStore } from "../src/clerk-emulator/store.ts";
import { warmJsonCache } from "../src/clerk-emulator/serialize.ts";

export type EmulatorMessage = { type: "drift"; changeShare: number; deleteShare: number; seed: number } | { type: "stats" } | { type: "cpu" } | { type: "stop" };

// budget: Clerk's requests per 10 s (0 = no rate limit); latencyMs: added to every request (a
// network round trip plus Clerk's own time).
const [users, orgs, membershipsPerOrg, seed, budget, latencyMs] = process.argv.slice(2).map(Number) as [number, number, number, number, number, number];
const store = new EmulatorStore({ random: seededRandom(seed), instanceId: `ins_bench${seed}` });
generateDataset(store, { users, orgs, membershipsPerOrg, seed });
warmJsonCache(store);
const emulator = await startClerkEmulator({ store, rateLimit: budget ? { requests: budget, windowMs: 10_000 } : false });
if (latencyMs) emulator.faults.set([{ route: "*", times: Infinity, latencyMs }]);

/** Changes `changeShare` of each entity and deletes `deleteShare` of each, deterministically. */
function drift(changeShare: number, deleteShare: number, driftSeed: number) {
  const rnd = seededRandom(driftSeed);
  const pick = <T>(items: T[], share: number) => items.filter(() => rnd() < share);
  const changed = { users: 0, organizations: 0, memberships: 0 };
  const deleted = { users: 0, organizations: 0, memberships: 0 };
  for (const u of pick([...store.users.values()], changeShare)) store.updateUser(u.id, { firstName: `${u.firstName ?? ""}·`, lastName: u.lastName }), changed.users++;
  for (const o of pick([...store.organizations.values()], changeShare)) store.updateOrganization(o.id, { name: `${o.name} (renamed)` }), changed.organizations++;
  for (const m of pick([...store.memberships.values()], changeShare)) store.updateMembership(m.organizationId, m.userId, m.role === "org:admin" ? "org:member" : "org:admin"), changed.memberships++;
  for (const m of pick([...store.memberships.values()], deleteShare)) store.deleteMembership(m.organizationId, m.userId), deleted.memberships++;
  for (const u of pick([...store.users.values()], deleteShare)) store.deleteUser(u.id), deleted.users++;
  for (const o of pick([...store.organizations.values()], deleteShare)) store.deleteOrganization(o.id), deleted.organizations++;
  return { changed, deleted };
}

process.on("message", (msg: EmulatorMessage) => {
  if (msg.type === "drift") process.send!({ type: "drifted", ...drift(msg.changeShare, msg.deleteShare, msg.seed) });
  else if (msg.type === "stats") process.send!({ type: "stats", stats: emulator.stats });
  else if (msg.type === "cpu") {
    const used = process.cpuUsage();
    process.send!({ type: "cpu", ms: (used.user + used.system) / 1000 });
  }
  else if (msg.type === "stop") void emulator.close().then(() => process.exit(0));
});
process.send!({ type: "ready", url: emulator.url, secretKey: emulator.secretKey, counts: { users: store.users.size, organizations: store.organizations.size, memberships: store.memberships.size } });

// The tunnel-free watcher against the emulator over HTTP and a real database: changes of every
// kind arrive within two ticks, a quiet tick costs one users request, the watermark survives a
// restart, and a tick that fails halfway writes nothing.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import type { Change } from "../../src/sync/changes.ts";
import { watch } from "../../src/watch/watch-loop.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { actualState, apiFor, clerkState, expectedState, resetToSynced } from "../support/sync.ts";
import { CLI } from "../support/cli.ts";

let t: TestDatabase;
let emu: RunningEmulator;
let config: Config;

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 1000, orgs: 10, membershipsPerOrg: 5, seed: 14 });
});
after(async () => {
  await emu.close();
  await t.close();
});
beforeEach(async () => {
  emu.faults.clear();
  await resetToSynced(emu, t.db);
  config = { ...loadConfig({}, ROOT), databaseUrl: t.url, sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-watch-")) };
});

const inSync = async () => JSON.stringify(clerkState(await actualState(t.db))) === JSON.stringify(clerkState(expectedState(emu.store)));

/** Runs a watcher until `until` holds (or `maxTicks` pass); returns its stats, changes and status lines. */
function startWatcher(options: { intervalMs?: number; fullEvery?: number } = {}) {
  const controller = new AbortController();
  const changes: Change[] = [];
  const status: string[] = [];
  let ticks = 0;
  const done = watch(
    { config, db: t.db, api: apiFor(emu), log: silentLogger },
    {
      intervalMs: options.intervalMs ?? 150,
      fullEvery: options.fullEvery ?? 2,
      signal: controller.signal,
      onChange: (c) => changes.push(c),
      onStatus: (s) => status.push(s),
      onTick: (s) => (ticks = s.ticks + s.failedTicks),
    },
  );
  return {
    changes,
    status,
    ticks: () => ticks,
    async stop() {
      controller.abort();
      return done;
    },
  };
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

test("a change of each kind in Clerk shows up in the database within two ticks", async () => {
  const interval = 400;
  const w = startWatcher({ intervalMs: interval, fullEvery: 2 });
  await new Promise((r) => setTimeout(r, interval / 2));
  const s = emu.store;
  const user = s.createUser({ emailAddresses: ["watched@example.com"], firstName: "Watched" });
  s.updateUser([...s.users.values()][0]!.id, { lastName: "Renamed" });
  s.deleteUser([...s.users.values()][1]!.id);
  const org = s.createOrganization({ name: "Watched Org", createdBy: user.id });
  s.updateOrganization([...s.organizations.values()][0]!.id, { name: "Renamed Org" });
  s.deleteOrganization([...s.organizations.values()][1]!.id);
  const member = [...s.users.values()][5]!;
  s.createMembership(org.id, member.id, "org:member");
  s.updateMembership(org.id, member.id, "org:admin");
  const ticksBefore = w.ticks();
  assert.ok(await waitFor(inSync, 20_000), "the database follows Clerk");
  const ticksTaken = w.ticks() - ticksBefore;
  const stats = await w.stop();
  // The tick under way when Clerk changed may have listed before the change: two more at most.
  assert.ok(ticksTaken <= 3, `took ${ticksTaken} ticks`);
  const ops = new Set(w.changes.map((c) => `${c.op} ${c.entity}`));
  for (const op of ["create user", "update user", "delete user", "create organization", "update organization", "delete organization", "create membership"]) assert.ok(ops.has(op), `${op} in ${[...ops].join(", ")}`);
  assert.equal(stats.failedTicks, 0);
});

test("a quiet tick costs one users request; the watermark survives a restart", async () => {
  const first = startWatcher({ intervalMs: 100, fullEvery: 1000 });
  await waitFor(async () => first.ticks() >= 1, 5_000);
  await first.stop();
  // A new watcher resumes from the watermark in the database: its ticks are quick ones.
  emu.resetStats();
  const second = startWatcher({ intervalMs: 100, fullEvery: 1000 });
  await new Promise((r) => setTimeout(r, 550));
  const stats = await second.stop();
  assert.ok(stats.ticks >= 3, `${stats.ticks} ticks`);
  assert.equal(stats.fullTicks, 0, "no full listing after a restart");
  assert.deepEqual(emu.stats.byRoute, { "GET /instance": 1, "GET /users": stats.ticks }, "the instance once per run, then one users request per quiet tick");
  assert.deepEqual(second.changes, []);
});

test("a tick that fails halfway writes nothing; the next one converges", async () => {
  const s = emu.store;
  s.updateOrganization([...s.organizations.values()][0]!.id, { name: "Changed Before The Failure" });
  s.createUser({ emailAddresses: ["during-failure@example.com"] });
  // The full tick's memberships listing fails for good; users and organizations were listed fine.
  emu.faults.set([{ route: "GET /organization_memberships", status: 500, times: Infinity }]);
  const w = startWatcher({ intervalMs: 150, fullEvery: 1 });
  assert.ok(await waitFor(async () => w.status.some((x) => x.startsWith("tick failed, nothing from it was written")), 20_000), w.status.join("\n"));
  const { rows } = await t.db.pool.query(`SELECT name FROM "Organization" WHERE name = 'Changed Before The Failure'`);
  assert.equal(rows.length, 0, "nothing of the failed tick was written");
  assert.equal((await t.db.pool.query(`SELECT 1 FROM "User" WHERE email = 'during-failure@example.com'`)).rows.length, 0);
  emu.faults.clear();
  assert.ok(await waitFor(inSync, 10_000), "the next tick converges");
  const stats = await w.stop();
  assert.ok(stats.failedTicks >= 1);
  assert.equal(w.status.filter((x) => x.startsWith("tick failed")).length, 1, "the outage is said once");
  assert.ok(w.status.some((x) => x.startsWith("recovered")), w.status.join("\n"));
});

test("clerk:resync --watch --json: a JSON line per applied change, quiet ticks print nothing, Ctrl-C stops cleanly", async () => {
  const child = spawn(process.execPath, [CLI, "resync", "--watch", "--interval", "200ms", "--full-every", "3", "--json"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "silent", DATABASE_URL: t.url, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: config.sidecarDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const lines = () => stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { status?: string; change?: Change });
  assert.ok(await waitFor(async () => lines().some((l) => l.status?.startsWith("watching Clerk every 0.2 s")), 15_000), stdout);
  await new Promise((r) => setTimeout(r, 700));
  assert.deepEqual(lines().filter((l) => l.change), [], "quiet ticks print nothing");
  const user = emu.store.createUser({ emailAddresses: ["cli-watch@example.com"] });
  assert.ok(await waitFor(async () => lines().some((l) => l.change?.id === user.id), 10_000), stdout);
  assert.deepEqual(lines().find((l) => l.change?.id === user.id)!.change, { entity: "user", op: "create", id: user.id, label: "cli-watch@example.com", fields: {} });
  child.kill("SIGINT");
  assert.equal(await exited, 0);
  assert.match(lines().at(-1)!.status ?? "", /^stopped after \d+ ticks/);
});

// Clerk omits fields the spec makes optional; the sync keeps what it can and reports the rest
// one record at a time (real CLI, emulator over HTTP, real database).
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { runCli } from "../support/cli.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { actualState, expectedState } from "../support/sync.ts";

let t: TestDatabase;
let emu: RunningEmulator;

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 30, orgs: 3, membershipsPerOrg: 4, seed: 5 });
});
after(async () => {
  await emu.close();
  await t.close();
});

type Wire = Record<string, unknown>;

test("a non-primary email without id and a membership without public_user_data: the rest is synced, that membership reported alone, exit 0", { timeout: 60_000 }, async () => {
  const users = [...emu.store.users.values()];
  // Every user gets a second, non-primary address; Clerk leaves out its `id` (optional in the spec).
  for (const u of users) emu.store.addEmailAddress(u.id, `second.${u.id.slice(-6).toLowerCase()}@example.com`);
  const broken = [...emu.store.memberships.values()][2]!;
  emu.faults.set([
    {
      route: "GET /users",
      times: Infinity,
      rewrite: (body) =>
        (body as Wire[]).map((u) => ({
          ...u,
          email_addresses: (u.email_addresses as Wire[]).map((e) => (e.id === u.primary_email_address_id ? e : { ...e, id: undefined })),
        })),
    },
    {
      route: "GET /organization_memberships",
      times: Infinity,
      rewrite: (body) => ({ ...(body as Wire), data: ((body as Wire).data as Wire[]).map((m) => (m.id === broken.id ? { ...m, public_user_data: undefined } : m)) }),
    },
  ]);
  const sidecarDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-tolerant-"));
  const run = await runCli(["resync", "--json"], { DATABASE_URL: t.url, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: sidecarDir });
  emu.faults.clear();
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(report.invalid, [{ id: broken.id, reason: "membership: publicUserData is missing" }]);
  assert.deepEqual(report.users, { created: 30, updated: 0, deleted: 0, unchanged: 0, kept: 0 });
  assert.equal(report.memberships.created, 11);

  const expected = expectedState(emu.store);
  const actual = await actualState(t.db);
  assert.deepEqual(actual.users, expected.users, "every user synced, with its primary email");
  assert.deepEqual(actual.organizations, expected.organizations);
  assert.deepEqual(actual.memberships, expected.memberships.filter((m) => m.id !== broken.id));
});

test("records Clerk lists but the map stage refuses are reported, never deleted: their rows stay as they are", { timeout: 60_000 }, async () => {
  const sidecarDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-tolerant-"));
  const env = { DATABASE_URL: t.url, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: sidecarDir };
  const clean = await runCli(["resync", "--json"], env);
  assert.equal(clean.code, 0, clean.stderr);
  const before = await actualState(t.db);
  const user = [...emu.store.users.values()][7]!;
  const org = [...emu.store.organizations.values()][1]!;
  const membership = [...emu.store.memberships.values()].find((m) => m.id !== [...emu.store.memberships.values()][2]!.id)!;
  emu.faults.set([
    { route: "GET /users", times: Infinity, rewrite: (body) => (body as Wire[]).map((u) => (u.id === user.id ? { ...u, created_at: "yesterday" } : u)) },
    { route: "GET /organizations", times: Infinity, rewrite: (body) => ({ ...(body as Wire), data: ((body as Wire).data as Wire[]).map((o) => (o.id === org.id ? { ...o, name: "" } : o)) }) },
    {
      route: "GET /organization_memberships",
      times: Infinity,
      rewrite: (body) => ({ ...(body as Wire), data: ((body as Wire).data as Wire[]).map((m) => (m.id === membership.id ? { ...m, role: 42 } : m)) }),
    },
  ]);
  const run = await runCli(["resync", "--json"], env);
  emu.faults.clear();
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(report.invalid.map((i: { id: string }) => i.id).sort(), [user.id, org.id, membership.id].sort(), JSON.stringify(report.invalid));
  for (const entity of ["users", "organizations", "memberships"] as const) assert.equal(report[entity].deleted, 0, entity);
  // Not even a delete candidate: no by-id lookup went out to confirm one.
  assert.equal(report.requests, JSON.parse(clean.stdout).requests);
  assert.deepEqual(await actualState(t.db), before, "every row as it was");
});

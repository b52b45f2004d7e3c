// db:reset on an app's own models (examples/next-app, with the mapping `init` writes for it): an Int autoincrement user id the app copies into Clerk metadata, a cuid team id,
// a join model on those keys, posts on the Int id, notes keyed by a plain orgId. Every row of
// every table comes back with every column, app ids included (pg_dump --data-only identical);
// what Clerk changed meanwhile arrives, and nobody's id moves.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import type { Config } from "../../src/config.ts";
import { runAppSeed } from "../../src/db/migrate-and-seed.ts";
import { SafetyError } from "../../src/errors.ts";
import { silentLogger } from "../../src/log.ts";
import { mirrorFromMapping } from "../../src/mirror/mapping.ts";
import { runReset, undoReset } from "../../src/reset/run-reset.ts";
import { copyNextApp } from "../support/app-models-project.ts";
import { dataDump, pgDump } from "../support/dump.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { createResetDatabase, type ResetDatabase } from "../support/reset-database.ts";
import { apiFor, resync } from "../support/sync.ts";
import { APP_MODELS_CONFIG } from "./app-models-config.ts";

const project = copyNextApp();
const mirror = mirrorFromMapping(APP_MODELS_CONFIG.mirror);
let r: ResetDatabase;
let emu: RunningEmulator;
const q = async (sql: string, params: unknown[] = []) => (await (await r.open()).pool.query(sql, params)).rows;
const snapshot = async () => ({ data: await dataDump(await r.open()), dump: pgDump(await r.open()) });

before(async () => {
  r = await createResetDatabase({ rootDir: project, empty: true });
  emu = await startTestEmulator({ users: 15, orgs: 3, membershipsPerOrg: 4, seed: 17 });
  const db = await r.open();
  await runAppSeed(db, project);
  await resync(emu, db, { mirror });
  // Ids with gaps: the app deleted users' posts and the users' own rows were made in Clerk's order.
  const users = await q(`SELECT id, "clerkId" FROM users ORDER BY id`);
  for (const [i, u] of users.slice(0, 6).entries()) await q(`INSERT INTO "Post" ("authorId", title) VALUES ($1, $2)`, [u.id, `post ${i}`]);
  await q(`DELETE FROM "Post" WHERE id IN (2, 4)`);
  await q(`UPDATE users SET plan = 'pro' WHERE id = ANY($1)`, [users.slice(0, 3).map((u) => u.id)]);
  for (const t of await q(`SELECT "clerkOrgId" FROM "Team" ORDER BY "clerkOrgId"`)) await q(`INSERT INTO "Note" ("orgId", body) VALUES ($1, 'org-scoped, no foreign key')`, [t.clerkOrgId]);
  await q(`UPDATE "TeamMember" SET seat = 'desk ' || id WHERE id % 2 = 0`);
  // The app keeps its DB ids in Clerk: each user's Int id in its public metadata.
  for (const u of users) emu.store.updateUser(u.clerkId, { publicMetadata: { dbId: u.id } });
  await resync(emu, db, { mirror });
});
after(async () => {
  await emu?.close();
  await r?.close();
});

const configFor = (): Config =>
  r.config({ rootDir: project, tables: APP_MODELS_CONFIG.tables, mirror, sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-app-models-backups-")), clerk: { secretKey: emu.secretKey, apiUrl: emu.url, requestsPerWindow: 1000, windowMs: 10_000 } });
const reset = async (config = configFor()) => runReset({ config, db: await r.open(), api: apiFor(emu), log: silentLogger }, { yes: false, forceInstance: false });

test("every row of every table of the app's own models comes back exactly after db:reset, Int and cuid ids included; --undo puts the previous one back", async () => {
  const before = await snapshot();
  assert.deepEqual((await q(`SELECT id FROM "Post" ORDER BY id`)).map((x) => x.id), [1, 3, 5, 6], "ids with gaps");
  const report = await reset();
  assert.equal(report.verified, true, JSON.stringify(report.tables));
  assert.equal(report.resync.rowsWritten, 0, "nothing changed in Clerk: the resync writes nothing");
  assert.deepEqual(report.after, { users: 15, organizations: 3, memberships: 12 });
  const after = await snapshot();
  assert.deepEqual(after.data, before.data);
  assert.equal(after.dump, before.dump, "pg_dump --data-only of every table");
  if (before.dump !== null) assert.match(before.dump, /COPY public\.users/, "pg_dump saw the app's tables");
  // The ids the app copied into Clerk still name the same rows.
  for (const u of await q(`SELECT id, meta FROM users`)) assert.equal(u.meta.dbId, u.id);
  // Sequences are past the restored maximum: the next row never takes a kept id.
  const [next] = await q(`INSERT INTO "Post" ("authorId", title) VALUES ((SELECT min(id) FROM users), 'new') RETURNING id`);
  assert.equal(next.id, 7);
  await q(`DELETE FROM "Post" WHERE id = 7`);

  await undoReset(await r.open());
  assert.deepEqual((await snapshot()).data, before.data, "the previous database, as it was");
});

test("what Clerk changed since the last sync arrives through db:reset: a renamed user keeps its Int id, a deleted one goes with its posts, a new one takes the next id", async () => {
  const before = await q(`SELECT id, "clerkId" FROM users ORDER BY id`);
  const top = Math.max(...before.map((u) => u.id));
  const [renamed, , gone] = before;
  emu.store.updateUser(renamed.clerkId, { firstName: "Renamed" });
  emu.store.deleteUser(gone.clerkId);
  const newcomer = emu.store.createUser({ emailAddresses: ["newcomer@example.test"], firstName: "New" });
  const posts = (await q(`SELECT count(*)::int AS n FROM "Post" WHERE "authorId" = $1`, [gone.id]))[0].n;
  assert.ok(posts > 0, "the deleted user had posts");
  try {
    const report = await reset();
    assert.equal(report.verified, true, JSON.stringify(report.tables));
    assert.equal(report.resync.users.updated, 1);
    assert.equal(report.resync.users.deleted, 1);
    assert.equal(report.resync.users.created, 1);
    assert.deepEqual(report.restore.missingOwners.users, [String(gone.id)], "the deleted user's posts stay in the backup, reported");
    const now = Object.fromEntries((await q(`SELECT "clerkId", id, first_name FROM users`)).map((u) => [u.clerkId, u]));
    assert.equal(now[renamed.clerkId].id, renamed.id);
    assert.equal(now[renamed.clerkId].first_name, "Renamed");
    assert.equal(now[gone.clerkId], undefined);
    assert.equal(now[newcomer.id].id, top + 1, "a new user takes the next id, never a kept one");
    for (const u of before) if (u.clerkId !== gone.clerkId) assert.equal(now[u.clerkId].id, u.id, `${u.clerkId} keeps its id`);
    assert.equal((await q(`SELECT count(*)::int AS n FROM "Post" WHERE "authorId" = $1`, [gone.id]))[0].n, 0);
  } finally {
    emu.store.deleteUser(newcomer.id);
  }
});

test("an app column on the mapped users table that is NOT NULL with no default, and a Clerk user this database never saw: preflight refuses before anything is written", async () => {
  await q(`ALTER TABLE users ADD COLUMN "appRole" text NOT NULL DEFAULT 'member'`);
  await q(`ALTER TABLE users ALTER COLUMN "appRole" DROP DEFAULT`);
  const newcomer = emu.store.createUser({ firstName: "Unsaved", emailAddresses: ["unsaved@example.test"] });
  const config = configFor();
  try {
    const before = await snapshot();
    await assert.rejects(reset(config), (err: unknown) => {
      assert.ok(err instanceof SafetyError, String(err));
      assert.match(err.message, new RegExp(`^db:reset cannot bring back every Clerk record: 1 Clerk users \\(${newcomer.id}\\) have no row here, and "users"\\."appRole" is NOT NULL with no default`));
      return true;
    });
    assert.deepEqual(await snapshot(), before);
    assert.deepEqual(readdirSync(config.sidecarDir), [], "refused before the backup");
  } finally {
    emu.store.deleteUser(newcomer.id);
    await q(`ALTER TABLE users DROP COLUMN "appRole"`);
  }
});

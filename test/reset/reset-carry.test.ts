// What a reset carries besides rows: tombstones (a user deleted before the reset stays deleted
// when a late webhook arrives after it), the delivery ledger (a Svix replay after the reset is
// still a duplicate), and the latest backup of each database (never another database's).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { webhookSecretFor } from "../../src/clerk-emulator/webhook-sender.ts";
import { serializeUser } from "../../src/clerk-emulator/serialize.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import type { Config } from "../../src/config.ts";
import type { Database } from "../../src/db/database.ts";
import { addOrgLocalData } from "../../src/demo/sample-data.ts";
import { databaseIdentity } from "../../src/db/identity.ts";
import { seedDefaults } from "../../examples/seed-app/prisma/seed-defaults.ts";
import { silentLogger } from "../../src/log.ts";
import { createClerkWebhookHandler } from "../../src/live/handler.ts";
import { startWebhookReceiver } from "../../src/live/server.ts";
import { runReset } from "../../src/reset/run-reset.ts";
import { latestBackupFile } from "../../src/sidecar/files.ts";
import { runCli } from "../support/cli.ts";
import { ROOT } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { createResetDatabase, type ResetDatabase } from "../support/reset-database.ts";
import { apiFor, resync } from "../support/sync.ts";
import { onFirstPassOnly } from "../support/passes.ts";

const SECRET = webhookSecretFor(17);
let r: ResetDatabase;
let emu: RunningEmulator;
let config: Config;

before(async () => {
  r = await createResetDatabase();
  emu = await startTestEmulator({ users: 20, orgs: 3, membershipsPerOrg: 3, seed: 41 });
  const db = await r.open();
  await seedDefaults(db);
  await resync(emu, db);
  await addOrgLocalData(db);
  config = r.config({ rootDir: ROOT, sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-carry-")), clerk: { secretKey: emu.secretKey, apiUrl: emu.url, requestsPerWindow: 1000, windowMs: 10_000 } });
});
after(async () => {
  await emu.close();
  await r.close();
});

/** Delivers one signed event to a receiver on `db`, as Svix would. */
async function deliver(db: Database, body: unknown, msgId: string): Promise<string> {
  const handler = createClerkWebhookHandler({ pool: db.pool, oneAtATime: db.pglite, signingSecret: SECRET, sidecarDir: config.sidecarDir, log: silentLogger });
  const receiver = await startWebhookReceiver(handler);
  try {
    const text = JSON.stringify(body);
    const at = new Date();
    const res = await fetch(receiver.url, {
      method: "POST",
      headers: { "content-type": "application/json", "svix-id": msgId, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": new Webhook(SECRET).sign(msgId, at, text) },
      body: text,
    });
    return String(((await res.json()) as { outcome?: string; error?: string }).outcome ?? res.status);
  } finally {
    await receiver.close();
  }
}

const event = (type: string, data: Record<string, unknown>) => ({ type, object: "event", data, timestamp: Date.now(), instance_id: emu.store.instanceId });

test("after a reset, a replayed delivery is still a duplicate and a deleted user stays deleted", { skip: onFirstPassOnly }, async () => {
  const [kept, doomed] = [...emu.store.users.values()];
  const update = event("user.updated", { ...serializeUser(kept!), first_name: "Once", updated_at: kept!.updatedAt + 1000 });
  assert.equal(await deliver(await r.open(), update, "msg_before_reset"), "applied");
  emu.store.deleteUser(doomed!.id);
  assert.equal(await deliver(await r.open(), event("user.deleted", { object: "user", id: doomed!.id, deleted: true }), "msg_delete"), "deleted");

  const report = await runReset({ config, db: await r.open(), api: apiFor(emu), log: silentLogger }, { yes: false, forceInstance: false });
  assert.equal(report.verified, true);

  const db = await r.open();
  assert.equal(await deliver(db, update, "msg_before_reset"), "duplicate", "the ledger came through the reset");
  const late = event("user.updated", { ...serializeUser(doomed!), first_name: "Zombie", updated_at: doomed!.updatedAt + 5000 });
  assert.equal(await deliver(db, late, "msg_late"), "stays-deleted", "the tombstone came through the reset");
  assert.equal((await db.pool.query(`SELECT count(*)::int AS n FROM "User" WHERE id = $1`, [doomed!.id])).rows[0].n, 0);
});

test("the latest backup is kept per database: resetting another database never replaces this one's, and a plain db:restore takes this one's", async () => {
  const report = await runReset({ config, db: await r.open(), api: apiFor(emu), log: silentLogger }, { yes: false, forceInstance: false });
  const mine = latestBackupFile(config.sidecarDir, databaseIdentity(config));
  const saved = readFileSync(mine, "utf8");
  assert.equal(saved, readFileSync(report.backup, "utf8"));
  await r.release();

  // Another, empty database reset with the same backups folder.
  const other = await createResetDatabase();
  try {
    const otherConfig = other.config({ rootDir: ROOT, sidecarDir: config.sidecarDir, clerk: config.clerk });
    const otherReport = await runReset({ config: otherConfig, db: await other.open(), api: apiFor(emu), log: silentLogger }, { yes: false, forceInstance: false });
    assert.notEqual(otherReport.database, report.database);
    assert.equal(readFileSync(mine, "utf8"), saved, "this database's latest backup is untouched");
    assert.ok(existsSync(latestBackupFile(config.sidecarDir, otherReport.database)));
  } finally {
    await other.close();
  }

  const env = { ...r.env, CLERK_RESYNC_SIDECAR_DIR: config.sidecarDir, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey };
  const restored = await runCli(["restore", "--json"], env);
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(JSON.parse(restored.stdout).file, mine);

  // A latest file that names no database (or another one) is refused, never trusted.
  const file = JSON.parse(saved);
  delete file.database;
  writeFileSync(mine, JSON.stringify(file));
  const refused = await runCli(["restore"], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^error: \S+latest-\S+\.json names no database, not \S+; nothing was restored\. Pass the file you mean: `pnpm db:restore <file>`$/m);
});

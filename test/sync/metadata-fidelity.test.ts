// Keys that are special to JavaScript objects ("__proto__", "constructor", "prototype") are plain
// data in Clerk's metadata. They survive the whole path as data: created through the real SDK in
// the emulator, listed back (SDK and direct calls), mapped, written, read back, compared by the
// plan (a second resync finds nothing to change), and through a signed webhook; and no object's
// prototype is ever touched.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { serializeUser } from "../../src/clerk-emulator/serialize.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { webhookSecretFor } from "../../src/clerk-emulator/webhook-sender.ts";
import { createClerkWebhookHandler } from "../../src/live/handler.ts";
import { startWebhookReceiver } from "../../src/live/server.ts";
import { silentLogger } from "../../src/log.ts";
import { hasDrift } from "../../src/sync/plan.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { sdkFor, startTestEmulator } from "../support/emulator.ts";
import { resync, truncateAll } from "../support/sync.ts";

let t: TestDatabase;
let emu: RunningEmulator;
before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 3, orgs: 1, membershipsPerOrg: 1, seed: 61 });
  await truncateAll(t.db.pool);
});
after(async () => {
  await emu.close();
  await t.close();
});

/** Parsed, so "__proto__" is an own key as JSON.parse makes it (an object literal would set the prototype). */
const HOSTILE_TEXT = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":1,"plan":"pro"}';
const hostile = () => JSON.parse(HOSTILE_TEXT) as Record<string, unknown>;

function assertNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  assert.equal(probe.polluted, undefined, "Object.prototype was polluted");
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
}

const metadataOf = async (table: string, id: string) => (await t.db.pool.query(`SELECT "publicMetadata"::text AS m FROM "${table}" WHERE id = $1`, [id])).rows[0]?.m as string | undefined;
const keysOf = (text: string | undefined) => Object.keys(JSON.parse(text ?? "{}") as object).sort();

test("emulator (via the SDK) → listing → map → database → local read → plan: the keys stay data", async () => {
  const sdk = sdkFor(emu);
  const user = await sdk.users.createUser({ emailAddress: ["proto@example.com"], publicMetadata: hostile() });
  const org = await sdk.organizations.createOrganization({ name: "Proto Org", createdBy: user.id, publicMetadata: hostile() });
  // The creator is the organization's first member.
  const membership = [...emu.store.membershipsOf(org.id)].find((m) => m.userId === user.id)!;
  emu.store.updateMembership(org.id, user.id, membership.role, { publicMetadata: hostile() });
  assert.deepEqual(Object.keys(emu.store.users.get(user.id)!.publicMetadata).sort(), ["__proto__", "constructor", "plan", "prototype"], "the emulator got them from the SDK");

  const first = await resync(emu, t.db);
  assert.equal(first.report.refusal, null);
  for (const [table, id] of [["User", user.id], ["Organization", org.id], ["OrganizationMembership", membership.id]] as const) {
    assert.deepEqual(keysOf(await metadataOf(table, id)), ["__proto__", "constructor", "plan", "prototype"], `${table} keeps every key`);
    assert.deepEqual(JSON.parse((await metadataOf(table, id))!), hostile(), `${table}: the values too`);
  }
  const second = await resync(emu, t.db, { dryRun: true });
  assert.equal(hasDrift(second.plan), false, `the plan reads the keys back and finds them equal: ${JSON.stringify(second.report.users)}`);
  assertNoPollution();
});

test("a signed webhook carrying the keys writes them as data", async () => {
  const secret = webhookSecretFor(61);
  const handler = createClerkWebhookHandler({ pool: t.db.pool, oneAtATime: t.db.pglite, signingSecret: secret, sidecarDir: "/tmp", log: silentLogger });
  const receiver = await startWebhookReceiver(handler);
  try {
    const user = [...emu.store.users.values()][0]!;
    // Built as text, so the "__proto__" key reaches the receiver as Svix would send it.
    const data = JSON.stringify({ ...serializeUser(user), updated_at: user.updatedAt + 1000, public_metadata: "PLACEHOLDER" }).replace('"PLACEHOLDER"', HOSTILE_TEXT);
    const text = `{"type":"user.updated","object":"event","timestamp":${Date.now()},"instance_id":"${emu.store.instanceId}","data":${data}}`;
    const at = new Date();
    const res = await fetch(receiver.url, {
      method: "POST",
      headers: { "svix-id": "msg_proto", "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": new Webhook(secret).sign("msg_proto", at, text) },
      body: text,
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { outcome: string }).outcome, "applied");
    assert.deepEqual(JSON.parse((await metadataOf("User", user.id))!), hostile());
    assertNoPollution();
  } finally {
    await receiver.close();
  }
});

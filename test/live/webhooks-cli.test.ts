// `pnpm clerk:webhooks` as a user runs it: the real CLI serving the emulator's signed deliveries.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { WebhookSender, webhookSecretFor } from "../../src/clerk-emulator/webhook-sender.ts";
import { seedDefaults } from "../../examples/seed-app/prisma/seed-defaults.ts";
import { runCli, CLI } from "../support/cli.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { resync } from "../support/sync.ts";
import { onFirstPassOnly } from "../support/passes.ts";

let t: TestDatabase;
let emu: RunningEmulator;
const SECRET = webhookSecretFor(21);

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 10, orgs: 2, membershipsPerOrg: 2, seed: 21 });
  await seedDefaults(t.db);
  await resync(emu, t.db);
});
after(async () => {
  await emu.close();
  await t.close();
});

test("without a signing secret it says which variable to set, exit 1", { skip: onFirstPassOnly }, async () => {
  const run = await runCli(["webhooks"], { DATABASE_URL: t.url });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^error: CLERK_WEBHOOK_SIGNING_SECRET is not set: copy your webhook endpoint's signing secret/m);
});

test("clerk:webhooks applies the emulator's signed deliveries, reports them on /healthz, stops on Ctrl-C", async () => {
  const child = spawn(process.execPath, [CLI, "webhooks", "--port", "0", "--json"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "silent", DATABASE_URL: t.url, CLERK_WEBHOOK_SIGNING_SECRET: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  for (let i = 0; i < 300 && !stdout.includes("\n"); i++) await new Promise((r) => setTimeout(r, 50));
  const { url, health } = JSON.parse(stdout.split("\n")[0]!) as { url: string; health: string };
  const sender = new WebhookSender(emu.store, { url, secret: SECRET });
  const user = emu.store.createUser({ emailAddresses: ["via-cli@example.com"], firstName: "Cli" });
  await sender.drain();
  sender.close();
  const { rows } = await t.db.pool.query(`SELECT "firstName", "syncSource" FROM "User" WHERE id = $1`, [user.id]);
  assert.deepEqual(rows, [{ firstName: "Cli", syncSource: "webhook" }]);
  const stats = (await (await fetch(health)).json()) as { applied: number; rejected: number };
  assert.equal(stats.applied, 1);
  assert.equal(stats.rejected, 0);
  child.kill("SIGINT");
  assert.equal(await exited, 0);
});

test("pnpm clerk:emulator --webhook-url: a change through its API arrives signed at the receiver, duplicates and reordering on", async () => {
  const { createClerkWebhookHandler } = await import("../../src/live/handler.ts");
  const { startWebhookReceiver } = await import("../../src/live/server.ts");
  const { silentLogger } = await import("../../src/log.ts");
  const { sdkFor } = await import("../support/emulator.ts");
  const seed = 77;
  const handler = createClerkWebhookHandler({ pool: t.db.pool, oneAtATime: t.db.pglite, signingSecret: webhookSecretFor(seed), sidecarDir: "/tmp", log: silentLogger });
  const receiver = await startWebhookReceiver(handler);
  const child = spawn(process.execPath, [CLI, "emulator", "--port", "0", "--users", "3", "--orgs", "1", "--seed", String(seed), "--webhook-url", receiver.url, "--webhook-faults", "duplicates=1,reorder=50"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  const exited = new Promise((resolve) => child.on("close", resolve));
  try {
    for (let i = 0; i < 300 && !stdout.includes("Ctrl-C"); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(stdout.includes(`CLERK_WEBHOOK_SIGNING_SECRET=${webhookSecretFor(seed)}\n`), stdout);
    const url = /CLERK_API_URL=(\S+)/.exec(stdout)![1]!;
    const secretKey = /CLERK_SECRET_KEY=(\S+)/.exec(stdout)![1]!;
    // Another instance than the one the database was synced from: the receiver must refuse its events…
    const created = await sdkFor({ url, secretKey } as RunningEmulator).users.createUser({ emailAddress: ["from-emulator-cli@example.com"], firstName: "Emu" });
    for (let i = 0; i < 100 && handler.stats.rejected < 1; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(handler.stats.rejected >= 1, JSON.stringify(handler.stats));
    // …and, once the database belongs to that instance, apply them (each delivered twice: once).
    await t.db.pool.query(`UPDATE "ClerkSyncState" SET "instanceId" = $1`, [`ins_emulator${String(seed).padStart(6, "0")}`]);
    const before = handler.stats.duplicates;
    await sdkFor({ url, secretKey } as RunningEmulator).users.updateUser(created.id, { firstName: "Emu2" });
    for (let i = 0; i < 100 && handler.stats.duplicates === before; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(handler.stats.duplicates > before, JSON.stringify(handler.stats));
  } finally {
    child.kill("SIGINT");
    await exited;
    await receiver.close();
    await t.db.pool.query(`UPDATE "ClerkSyncState" SET "instanceId" = $1`, [emu.store.instanceId]);
  }
});

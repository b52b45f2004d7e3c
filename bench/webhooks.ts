// `pnpm bench:webhooks --hostile [--big N --big-mb M --slow N]`: the receiver under attack, see
// webhooks-hostile.ts (the full load: --big 100 --big-mb 100 --slow 1000).
// `pnpm bench:webhooks [--events N] [--concurrency C] [--out FILE]`: a burst of N signed Clerk
// webhooks (user.updated over 1,000 users, each copy newer than the last) POSTed to the receiver
// over HTTP, C at a time, on PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL) and PGlite.
// Reported beside a floor measured in the same run: the same burst to the same server whose
// handler only verifies the signature (HTTP + Svix verification, no database).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../src/cli-args.ts";
import { verifyWebhook } from "@clerk/backend/webhooks";
import { Webhook } from "standardwebhooks";
import { generateDataset } from "../src/clerk-emulator/dataset.ts";
import { seededRandom } from "../src/clerk-emulator/ids.ts";
import { serializeUser } from "../src/clerk-emulator/serialize.ts";
import { EmulatorStore } from "../src/clerk-emulator/store.ts";
import { webhookSecretFor } from "../src/clerk-emulator/webhook-sender.ts";
import type { Database } from "../src/db/database.ts";
import { onEachBenchDatabase } from "./database.ts";
import { measureHostile } from "./webhooks-hostile.ts";
import { silentLogger } from "../src/log.ts";
import { createClerkWebhookHandler, type ClerkWebhookHandler } from "../src/live/handler.ts";
import { startWebhookReceiver } from "../src/live/server.ts";
import { formatTable } from "../src/output.ts";
import { mapSnapshot } from "../src/sync/map.ts";
import { upsertUsers } from "../src/mirror/writes.ts";
import { userFromWire } from "../src/clerk/wire.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseScriptArgs({
  script: "pnpm bench:webhooks",
  summary: "A signed burst of webhook deliveries against the receiver, beside a verify-only floor",
  flags: {
    events: { type: "integer", value: "N", default: 10_000, min: 1, description: "Deliveries in the burst" },
    concurrency: { type: "integer", value: "N", default: 16, min: 1, description: "Deliveries in flight at once" },
    out: { type: "string", value: "FILE", default: "bench/webhooks-results.json", description: "Where the results go" },
    hostile: { type: "boolean", description: "The receiver under attack (big unsigned bodies, slow connections) while valid deliveries flow" },
    big: { type: "integer", value: "N", default: 10, min: 0, description: "With --hostile: unsigned big POSTs, all at once" },
    "big-mb": { type: "integer", value: "MB", default: 20, min: 1, description: "With --hostile: size of each big POST" },
    slow: { type: "integer", value: "N", default: 200, min: 0, description: "With --hostile: connections sending one byte every 5 s" },
    valid: { type: "integer", value: "N", default: 1000, min: 1, description: "With --hostile: signed deliveries during the attack" },
  },
  example: "pnpm bench:webhooks --events 1000",
});
const events = values.events;
const concurrency = values.concurrency;
const SECRET = webhookSecretFor(1);

const store = new EmulatorStore({ random: seededRandom(5), instanceId: "ins_bench_webhooks" });
generateDataset(store, { users: 1000, orgs: 0, membershipsPerOrg: 0, seed: 5 });
const users = [...store.users.values()];

/** The burst, signed up front so the sender costs little while it is measured. */
function burst(): { id: string; body: string }[] {
  return Array.from({ length: events }, (_, i) => {
    const u = users[i % users.length]!;
    const data = { ...serializeUser(u), first_name: `v${i}`, updated_at: u.updatedAt + i + 1 };
    return { id: `msg_bench_${i}`, body: JSON.stringify({ type: "user.updated", object: "event", data, timestamp: Date.now(), instance_id: store.instanceId }) };
  });
}

async function fire(url: string, messages: { id: string; body: string }[]): Promise<{ wallMs: number; p50: number; p99: number; failed: number }> {
  const signer = new Webhook(SECRET);
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages.length) {
        const m = messages[next++]!;
        const now = new Date();
        const t0 = performance.now();
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "svix-id": m.id, "svix-timestamp": String(Math.floor(now.getTime() / 1000)), "svix-signature": signer.sign(m.id, now, m.body) }, body: m.body });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (!res.ok) failed += 1;
      }
    }),
  );
  const wallMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 10) / 10;
  return { wallMs: Math.round(wallMs), p50: q(0.5), p99: q(0.99), failed };
}

/** The users exist, as after a resync. */
async function seedUsers(db: Database): Promise<void> {
  const mapped = mapSnapshot({ users: users.map((u) => userFromWire(serializeUser(u))), organizations: [], memberships: [] });
  const client = await db.pool.connect();
  try {
    await upsertUsers(client, mapped.users);
  } finally {
    client.release();
  }
}

async function measure(kind: string, db: Database) {
  await seedUsers(db);
  const floorHandler = Object.assign(async (request: Request) => {
    await verifyWebhook(request, { signingSecret: SECRET });
    return Response.json({ outcome: "verified" });
  }, { stats: {} }) as unknown as ClerkWebhookHandler;
  const floorServer = await startWebhookReceiver(floorHandler);
  const floor = await fire(floorServer.url, burst());
  await floorServer.close();

  const handler = createClerkWebhookHandler({ pool: db.pool, oneAtATime: db.pglite, signingSecret: SECRET, sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-bench-wh-")), log: silentLogger });
  const server = await startWebhookReceiver(handler);
  const run = await fire(server.url, burst());
  await server.close();
  return {
    db: kind,
    events,
    concurrency,
    wallMs: run.wallMs,
    eventsPerSecond: Math.round((events / run.wallMs) * 1000),
    p50Ms: run.p50,
    p99Ms: run.p99,
    failed: run.failed,
    applied: handler.stats.applied,
    floorWallMs: floor.wallMs,
    floorP99Ms: floor.p99,
    ratioToFloor: +(run.wallMs / floor.wallMs).toFixed(2),
  };
}

async function measureUnderAttack(kind: string, db: Database) {
  await seedUsers(db);
  const result = await measureHostile(ROOT, db.url, SECRET, mkdtempSync(path.join(tmpdir(), "clerk-resync-bench-wh-")), burst(), {
    big: values.big,
    bigMb: values["big-mb"],
    slow: values.slow,
    valid: Math.min(values.valid, events),
    concurrency: Math.min(concurrency, 4),
  });
  return { db: kind, ...result };
}

if (values.hostile) {
  const results = await onEachBenchDatabase("clerk_resync_bench_webhooks", ROOT, measureUnderAttack);
  process.stdout.write(`attack: ${values.big} unsigned POSTs of ${values["big-mb"]} MB at once, ${values.slow} connections sending 1 byte / 5 s; valid deliveries ${Math.min(values.valid, events)}, 4 at a time\n`);
  process.stdout.write(
    `${formatTable(
      ["db", "RSS before MB", "peak RSS MB", "valid applied", "valid other", "valid p50 ms", "valid p99 ms", "413s", "503s", "big other", "slow cut by server", "slow still open", "wall ms"],
      results.map((r) => [r.db, r.baselineRssMB, r.peakRssMB, r.validApplied, r.validOtherStatus, r.validP50Ms, r.validP99Ms, r.count413, r.count503, r.bigOther, r.slowCutByServer, r.slowStillOpen, r.wallMs]),
    )}\n`,
  );
  writeFileSync(values.out, `${JSON.stringify({ at: new Date().toISOString(), hostile: true, results }, null, 2)}\n`);
  process.exit(0);
}

const results = await onEachBenchDatabase("clerk_resync_bench_webhooks", ROOT, measure);
process.stdout.write(
  `${formatTable(
    ["db", "events", "wall ms", "events/s", "p50 ms", "p99 ms", "failed", "floor ms", "ratio"],
    results.map((r) => [r.db, r.events, r.wallMs, r.eventsPerSecond, r.p50Ms, r.p99Ms, r.failed, r.floorWallMs, r.ratioToFloor]),
  )}\n`,
);
writeFileSync(values.out, `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);

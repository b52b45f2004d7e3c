// The receiver under attack and under Svix's rules, over real HTTP: bodies over the limit are
// refused on their Content-Length or as soon as the bytes read pass it (never buffered, never
// verified); slow clients time out; connections and deliveries in flight are capped with 503 and
// Retry-After; unknown event types are acknowledged (200 ignored, in the ledger); a signed body
// that is empty or not JSON is a 400, not a bad signature.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { serializeUser } from "../../src/clerk-emulator/serialize.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { webhookSecretFor } from "../../src/clerk-emulator/webhook-sender.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { createClerkWebhookHandler, type WebhookHandlerDeps } from "../../src/live/handler.ts";
import { startWebhookReceiver, type ReceiverOptions, type RunningReceiver } from "../../src/live/server.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { resetToSynced } from "../support/sync.ts";

const SECRET = webhookSecretFor(31);
let t: TestDatabase;
let emu: RunningEmulator;

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 5, orgs: 1, membershipsPerOrg: 1, seed: 31 });
  await resetToSynced(emu, t.db);
});
after(async () => {
  await emu.close();
  await t.close();
});

async function receiverWith(deps: Partial<WebhookHandlerDeps> = {}, options: ReceiverOptions = {}) {
  const handler = createClerkWebhookHandler({ pool: t.db.pool, oneAtATime: t.db.pglite, signingSecret: SECRET, sidecarDir: "/tmp", log: silentLogger, ...deps });
  const receiver = await startWebhookReceiver(handler, options);
  return { handler, receiver };
}

function signed(text: string, msgId = `msg_${Math.random().toString(36).slice(2)}`): Record<string, string> {
  const at = new Date();
  return { "svix-id": msgId, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": new Webhook(SECRET).sign(msgId, at, text) };
}

function userUpdated(firstName: string, padding = 0) {
  const user = [...emu.store.users.values()][0]!;
  const data = { ...serializeUser(user), first_name: firstName, updated_at: user.updatedAt + 1000, public_metadata: padding ? { pad: "x".repeat(padding) } : {} };
  return { user, text: JSON.stringify({ type: "user.updated", object: "event", data, timestamp: Date.now(), instance_id: emu.store.instanceId }) };
}

/**
 * POSTs `total` bytes in 64 KB chunks with node's client, which reads the answer while it is still
 * sending; resolves with the status and how many bytes went out before it came.
 */
function postHuge(receiver: RunningReceiver, total: number, headers: Record<string, string>): Promise<{ status: number; retryAfter?: string; sentBeforeAnswer: number }> {
  const url = new URL(receiver.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers });
    let sent = 0;
    req.on("response", (res) => {
      resolve({ status: res.statusCode!, retryAfter: res.headers["retry-after"] as string | undefined, sentBeforeAnswer: sent });
      req.destroy();
    });
    req.on("error", (err) => (sent >= total ? reject(err) : undefined));
    const chunk = Buffer.alloc(64 * 1024, "a");
    const write = () => {
      while (sent < total && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      if (!req.destroyed) req.end();
    };
    write();
  });
}

const userRow = async (id: string) => (await t.db.pool.query(`SELECT "firstName" FROM "User" WHERE id = $1`, [id])).rows[0] as { firstName: string } | undefined;

test("a 100 MB POST declared in Content-Length: 413 at once, the body never read, the next delivery unaffected", async () => {
  const { receiver } = await receiverWith();
  try {
    const total = 100 * 1024 * 1024;
    const rssBefore = process.memoryUsage().rss;
    const huge = await postHuge(receiver, total, { "content-length": String(total), ...signed("irrelevant") });
    assert.equal(huge.status, 413);
    assert.ok(huge.sentBeforeAnswer < total / 4, `answered after ${huge.sentBeforeAnswer} of ${total} bytes`);
    assert.equal(receiver.stats.tooLarge, 1);
    assert.ok(process.memoryUsage().rss - rssBefore < 50 * 1024 * 1024, "the body was not buffered");
    const { user, text } = userUpdated("AfterHuge");
    const ok = await fetch(receiver.url, { method: "POST", headers: signed(text), body: text });
    assert.equal(ok.status, 200);
    assert.equal((await userRow(user.id))?.firstName, "AfterHuge");
  } finally {
    await receiver.close();
  }
});

test("a body without Content-Length is cut off once the bytes read pass the limit: 413, never verified", async () => {
  const { handler, receiver } = await receiverWith();
  try {
    const total = 20 * 1024 * 1024;
    const huge = await postHuge(receiver, total, { "transfer-encoding": "chunked", ...signed("irrelevant") });
    assert.equal(huge.status, 413);
    assert.ok(huge.sentBeforeAnswer < total / 2, `answered after ${huge.sentBeforeAnswer} of ${total} bytes`);
    assert.equal(receiver.stats.tooLarge, 1);
    assert.equal(handler.stats.received, 0, "the handler (and its HMAC) never saw it");
  } finally {
    await receiver.close();
  }
});

test("a correctly signed 10 MB event is refused with 413 and not applied; the limit is configurable", async () => {
  const { receiver } = await receiverWith();
  const small = await receiverWith({ bodyLimitBytes: 2048 });
  try {
    const big = userUpdated("TenMegabytes", 10 * 1024 * 1024);
    const r = await fetch(receiver.url, { method: "POST", headers: signed(big.text), body: big.text });
    assert.equal(r.status, 413);
    assert.match(((await r.json()) as { error: string }).error, /over the 1048576 byte limit/);
    assert.notEqual((await userRow(big.user.id))?.firstName, "TenMegabytes");
    const modest = userUpdated("FourKilobytes", 4096);
    const r2 = await fetch(small.receiver.url, { method: "POST", headers: signed(modest.text), body: modest.text });
    assert.equal(r2.status, 413);
    assert.notEqual((await userRow(modest.user.id))?.firstName, "FourKilobytes");
  } finally {
    await receiver.close();
    await small.receiver.close();
  }
});

test("handleClerkWebhook's handler on its own (the app's route): a streamed body is cancelled once past the limit", async () => {
  const handler = createClerkWebhookHandler({ pool: t.db.pool, signingSecret: SECRET, sidecarDir: "/tmp", log: silentLogger, bodyLimitBytes: 64 * 1024 });
  let pulled = 0;
  let cancelled = false;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 16 * 1024;
      controller.enqueue(new Uint8Array(16 * 1024));
    },
    cancel() {
      cancelled = true;
    },
  });
  const res = await handler(new Request("http://app.test/api/webhooks/clerk", { method: "POST", headers: signed("x"), body: endless, duplex: "half" } as RequestInit));
  assert.equal(res.status, 413);
  assert.ok(cancelled, "the stream was cancelled");
  assert.ok(pulled <= 128 * 1024, `read ${pulled} bytes of an endless body`);
  const declared = await handler(new Request("http://app.test/api/webhooks/clerk", { method: "POST", headers: { ...signed("x"), "content-length": String(10 ** 9) }, body: "x" }));
  assert.equal(declared.status, 413, "refused on Content-Length alone");
  assert.equal(handler.stats.rejected, 2);
});

test("a client sending one byte at a time is cut off at the request timeout", async () => {
  const { receiver } = await receiverWith({}, { requestTimeoutMs: 400 });
  try {
    const url = new URL(receiver.url);
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise((r) => socket.once("connect", r));
    const started = Date.now();
    let answer = "";
    socket.on("data", (d) => (answer += d));
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n`);
    const drip = setInterval(() => socket.writable && socket.write("a"), 100);
    await new Promise((r) => socket.once("close", r));
    clearInterval(drip);
    const heldMs = Date.now() - started;
    assert.ok(heldMs < 3000, `held open ${heldMs} ms`);
    assert.match(answer, /^HTTP\/1\.1 408/);
  } finally {
    await receiver.close();
  }
});

test("over the connection cap: 503 with Retry-After at once; a slot freed is usable again", async () => {
  const { receiver } = await receiverWith({}, { maxConnections: 3 });
  const url = new URL(receiver.url);
  const idle: net.Socket[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const s = net.connect(Number(url.port), url.hostname);
      await new Promise((r) => s.once("connect", r));
      idle.push(s);
    }
    for (let i = 0; i < 50 && receiver.stats.openConnections < 3; i++) await new Promise((r) => setTimeout(r, 10));
    const { text } = userUpdated("OverCap");
    const r = await fetch(receiver.url, { method: "POST", headers: signed(text), body: text });
    assert.equal(r.status, 503);
    assert.equal(r.headers.get("retry-after"), "5");
    assert.equal(receiver.stats.refusedConnections, 1);
    idle.pop()!.destroy();
    for (let i = 0; i < 50 && receiver.stats.openConnections >= 3; i++) await new Promise((r) => setTimeout(r, 10));
    const again = await fetch(receiver.url, { method: "POST", headers: { ...signed(text), connection: "close" }, body: text });
    assert.equal(again.status, 200);
  } finally {
    for (const s of idle) s.destroy();
    await receiver.close();
  }
});

test("over the deliveries-in-flight cap: 503 with Retry-After, and the held delivery still completes", async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let held = 0;
  const { handler, receiver } = await receiverWith({ maxInFlight: 1, resetUnderWay: async () => (held++ === 0 ? (await gate, false) : false) });
  try {
    const first = userUpdated("Held");
    const pending = fetch(receiver.url, { method: "POST", headers: signed(first.text), body: first.text });
    for (let i = 0; i < 100 && held === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const second = userUpdated("Second");
    const busy = await fetch(receiver.url, { method: "POST", headers: signed(second.text), body: second.text });
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get("retry-after"), "5");
    open();
    assert.equal((await pending).status, 200);
    assert.equal(handler.stats.failed, 1);
  } finally {
    await receiver.close();
  }
});

test("an unknown event type: 200 ignored, logged, in the delivery ledger; a redelivery is ignored too", async () => {
  const lines: string[] = [];
  const log = createLogger({ level: "info", destination: { write: (s: string) => lines.push(s) } });
  const { handler, receiver } = await receiverWith({ log });
  try {
    const text = JSON.stringify({ type: "session.created", object: "event", data: { id: "sess_1" }, timestamp: Date.now(), instance_id: emu.store.instanceId });
    const headers = signed(text, "msg_unknown_type");
    for (let i = 0; i < 2; i++) {
      const r = await fetch(receiver.url, { method: "POST", headers, body: text });
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { status: "ignored", type: "session.created" });
    }
    const { rows } = await t.db.pool.query(`SELECT "eventType" FROM "ClerkWebhookDelivery" WHERE "svixId" = 'msg_unknown_type'`);
    assert.deepEqual(rows, [{ eventType: "session.created" }]);
    assert.equal(handler.stats.ignored, 2);
    assert.equal(handler.stats.rejected, 0);
    assert.ok(lines.some((l) => /webhook ignored/.test(l) && /session\.created/.test(l)), lines.join(""));
  } finally {
    await receiver.close();
  }
});

test("a signed body that is empty or not JSON: 400 naming it; the same bodies unsigned: 401", async () => {
  const { receiver } = await receiverWith();
  try {
    const cases: [string, RegExp][] = [
      ["", /^signed body is empty/],
      ["{not json", /^signed body is not a JSON event object/],
    ];
    for (const [body, reason] of cases) {
      const r = await fetch(receiver.url, { method: "POST", headers: signed(body), body });
      assert.equal(r.status, 400, body);
      assert.match(((await r.json()) as { error: string }).error, reason);
      const forged = { ...signed(body), "svix-signature": new Webhook(webhookSecretFor(99)).sign("msg_x", new Date(), body) };
      const unsigned = await fetch(receiver.url, { method: "POST", headers: forged, body });
      assert.equal(unsigned.status, 401, `unsigned ${JSON.stringify(body)}`);
    }
  } finally {
    await receiver.close();
  }
});

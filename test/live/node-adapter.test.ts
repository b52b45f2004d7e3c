// The webhook handler on node's own http server, as an Express app mounts it: a signed event
// streamed in the request applies, also when Express 4 left `body = {}` on it unread; a body kept
// raw by express.raw applies; a body a JSON middleware already parsed is refused with what to
// change, not a false "bad signature"; a handler that throws answers 500 with its message.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { serializeUser } from "../../src/clerk-emulator/serialize.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { webhookSecretFor } from "../../src/clerk-emulator/webhook-sender.ts";
import { silentLogger } from "../../src/log.ts";
import { createClerkWebhookHandler } from "../../src/live/handler.ts";
import { toNodeHandler, type NodeHandler, type NodeRequest } from "../../src/live/node-adapter.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { resetToSynced } from "../support/sync.ts";

const SECRET = webhookSecretFor(41);
let t: TestDatabase;
let emu: RunningEmulator;

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 3, orgs: 1, membershipsPerOrg: 1, seed: 41 });
  await resetToSynced(emu, t.db);
});
after(async () => {
  await emu.close();
  await t.close();
});

/** What runs before the route, as in an Express app: it may read the body, or leave the stream alone. */
interface Middleware {
  reads: boolean;
  apply(req: NodeRequest, raw: Buffer): void;
}
const streamed: Middleware = { reads: false, apply: () => {} };
// Express 4's parsers set `body = {}` on a request whose type they do not handle, leaving it unread.
const express4Unparsed: Middleware = { reads: false, apply: (req) => (req.body = {}) };
const expressRaw: Middleware = { reads: true, apply: (req, raw) => (req.body = raw) };
const expressJson: Middleware = {
  reads: true,
  apply: (req, raw) => {
    req.body = JSON.parse(raw.toString("utf8"));
    req._body = true;
  },
};

async function serve(middleware: Middleware, route: NodeHandler) {
  const server = http.createServer((req: NodeRequest, res) => {
    if (!middleware.reads) {
      middleware.apply(req, Buffer.alloc(0));
      return route(req, res);
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      middleware.apply(req, Buffer.concat(chunks));
      route(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks/clerk`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function signedUserUpdate(firstName: string) {
  const user = [...emu.store.users.values()][0]!;
  const text = JSON.stringify({ type: "user.updated", object: "event", data: { ...serializeUser(user), first_name: firstName, updated_at: user.updatedAt + 1000 }, timestamp: Date.now(), instance_id: emu.store.instanceId });
  const msgId = `msg_${firstName}`;
  const at = new Date();
  const headers = { "content-type": "application/json", "svix-id": msgId, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": new Webhook(SECRET).sign(msgId, at, text) };
  return { userId: user.id, text, headers };
}

const firstName = async (id: string) => ((await t.db.pool.query(`SELECT "firstName" FROM "User" WHERE id = $1`, [id])).rows[0] as { firstName: string }).firstName;

for (const [label, name, middleware] of [
  ["streamed (node http)", "Streamed", streamed],
  ["left unread with body {} (Express 4)", "Unread", express4Unparsed],
  ["kept raw (express.raw)", "Raw", expressRaw],
] as const) {
  test(`a signed user.updated through toNodeHandler, body ${label}, is applied`, async () => {
    const handler = createClerkWebhookHandler({ pool: t.db.pool, oneAtATime: t.db.pglite, signingSecret: SECRET, sidecarDir: "/tmp", log: silentLogger });
    const server = await serve(middleware, toNodeHandler(handler));
    try {
      const event = signedUserUpdate(name);
      const res = await fetch(server.url, { method: "POST", headers: event.headers, body: event.text });
      assert.equal(res.status, 200, await res.text());
      assert.equal(await firstName(event.userId), name);
    } finally {
      await server.close();
    }
  });
}

test("a body already parsed by express.json(): 500 saying to mount express.raw, and nothing applied", async () => {
  const handler = createClerkWebhookHandler({ pool: t.db.pool, oneAtATime: t.db.pglite, signingSecret: SECRET, sidecarDir: "/tmp", log: silentLogger });
  const server = await serve(expressJson, toNodeHandler(handler));
  try {
    const event = signedUserUpdate("Parsed");
    const before = await firstName(event.userId);
    const res = await fetch(server.url, { method: "POST", headers: event.headers, body: event.text });
    assert.equal(res.status, 500);
    assert.match(((await res.json()) as { error: string }).error, /express\.raw\(\{ type: "application\/json" \}\)/);
    assert.equal(await firstName(event.userId), before);
  } finally {
    await server.close();
  }
});

test("a handler that throws on plain node http: 500 with its message (secrets redacted), not a dropped connection", async () => {
  const server = await serve(streamed, toNodeHandler(async () => {
    throw new Error("CLERK_WEBHOOK_SIGNING_SECRET is not set");
  }));
  try {
    const res = await fetch(server.url, { method: "POST", body: "{}" });
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: "CLERK_WEBHOOK_SIGNING_SECRET is not set" });
  } finally {
    await server.close();
  }
});

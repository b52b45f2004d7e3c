// A connection lost in the middle of a query (a server restart, a dropped network) must reject
// that query, never crash the process: the tool then says what happened and exits with its code.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { connectDatabase } from "../../src/db/database.ts";
import { inTransaction } from "../../src/db/transaction.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.close();
});

/** A TCP relay to the test database whose connections can be cut. */
async function cuttableRelay(target: URL) {
  const sockets: net.Socket[] = [];
  const relay = net.createServer((client) => {
    const server = net.connect(Number(target.port || 5432), target.hostname);
    sockets.push(client, server);
    client.pipe(server).on("error", () => {});
    server.pipe(client).on("error", () => {});
    client.on("error", () => {});
    server.on("error", () => {});
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String((relay.address() as net.AddressInfo).port);
  return { url: url.toString(), cut: () => sockets.forEach((s) => s.destroy()), close: () => new Promise((r) => relay.close(r)) };
}

test("a connection lost mid-query rejects the query (pool.query and a transaction) without an uncaught exception", async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on("uncaughtException", onUncaught);
  const relay = await cuttableRelay(new URL(t.url));
  const db = await connectDatabase(relay.url, false);
  try {
    // A query that is still running when the connection goes: a cross join big enough to take a while.
    const slow = "SELECT count(*) FROM generate_series(1, 3000) a, generate_series(1, 3000) b";
    const viaPool = db.pool.query(slow);
    const viaTransaction = inTransaction(db.pool, (client) => client.query(slow));
    setTimeout(relay.cut, 100);
    const outcomes = await Promise.allSettled([viaPool, viaTransaction]);
    assert.deepEqual(
      outcomes.map((o) => o.status === "rejected" && /Connection terminated|ECONNRESET/.test(String(o.reason))),
      [true, true],
      JSON.stringify(outcomes.map((o) => (o.status === "rejected" ? String(o.reason) : "resolved"))),
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(uncaught, []);
  } finally {
    process.off("uncaughtException", onUncaught);
    await db.close().catch(() => {});
    await relay.close();
  }
});

// PGlite serves every connection from one session and takes protocol messages one at a time:
// queries that two connections send at once must still each get their own answer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connectDatabase } from "../../src/db/database.ts";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres.ts";
import { inTransaction } from "../../src/db/transaction.ts";

test("the embedded database answers many parameterized queries sent at once, each with its own result", { timeout: 60_000 }, async () => {
  const embedded = await startEmbeddedPostgres();
  const db = await connectDatabase(embedded.url, true);
  try {
    // Different statements with different parameter counts, so an interleaved Bind fails or answers
    // wrong; large parameters (a page's id list is tens of kB), so a message spans several reads.
    // Transactions (the early writer's) run beside plain queries (a page's read).
    const big = "x".repeat(200_000);
    const asked = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0
        ? inTransaction(db.pool, async (client) => {
            const a = await client.query<{ v: number }>("SELECT length($1::text) + $2::int AS v", [big, i]);
            const b = await client.query<{ v: string }>("SELECT $1::text || '!' AS v", [`t${i}`]);
            return a.rows[0]!.v === big.length + i && b.rows[0]!.v === `t${i}!`;
          })
        : i % 3 === 1
          ? db.pool.query<{ v: string }>("SELECT length($1::text) || '-' || $2::text AS v", [big, `b${i}`]).then((r) => r.rows[0]!.v === `${big.length}-b${i}`)
          : db.pool.query<{ v: number }>("SELECT length($1::text) + $2::int AS v", [big, i]).then((r) => r.rows[0]!.v === big.length + i),
    );
    const answers = await Promise.allSettled(asked);
    const wrong = answers.flatMap((a, i) => (a.status === "fulfilled" && a.value ? [] : [`${i}: ${a.status === "rejected" ? String(a.reason) : "wrong result"}`]));
    assert.deepEqual(wrong, [], "every query answered, with its own result");
  } finally {
    await db.close();
    await embedded.stop();
  }
});

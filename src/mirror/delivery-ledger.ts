// The webhook delivery ledger (ClerkWebhookDelivery): one row per Svix message id, so a
// redelivery is applied once, and per-record locks so deliveries about one record run in turn.
import type pg from "pg";

/** Records the delivery; false when this svix-id was seen before (a redelivery). */
export async function recordDelivery(client: pg.Pool | pg.PoolClient, svixId: string, eventType: string): Promise<boolean> {
  const res = await client.query(`INSERT INTO "ClerkWebhookDelivery" ("svixId", "eventType") VALUES ($1, $2) ON CONFLICT DO NOTHING`, [svixId, eventType]);
  return (res.rowCount ?? 0) > 0;
}

/** Until the transaction ends, no other delivery about this Clerk id runs: an update racing its delete sees the tombstone. */
export async function lockRecord(client: pg.PoolClient, clerkId: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [clerkId]);
}

/** Svix retries for days, not weeks: ledger rows older than that only take room. */
export const LEDGER_RETENTION_DAYS = 14;

export async function pruneDeliveryLedger(pool: pg.Pool): Promise<number> {
  const res = await pool.query(`DELETE FROM "ClerkWebhookDelivery" WHERE "receivedAt" < now() - make_interval(days => $1)`, [LEDGER_RETENTION_DAYS]);
  return res.rowCount ?? 0;
}

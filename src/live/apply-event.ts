// Applies one webhook event through the resync's own write path: the same zod mapping, the same
// guarded set-based upserts (an older copy from Clerk never replaces a newer one), the same
// deletes with tombstones, the same pruned sidecar. One transaction per delivery, the delivery
// ledger included, so a redelivery is applied once and a failure applies nothing.
import type pg from "pg";
import { deleteByIds, removeTombstoned, upsertMemberships, upsertOrganizations, upsertUsers, WEBHOOK_ORIGIN } from "../db/sync-writes.ts";
import type { MirroredTable } from "../db/mirrored-columns.ts";
import { readSyncedInstance } from "../db/sync-state.ts";
import { inTransaction } from "../db/transaction.ts";
import { savePrunedLocalData } from "../sidecar/prune.ts";
import { mapRecord, type MapOptions } from "../sync/map.ts";
import type { MembershipRow, OrganizationRow, UserRow } from "../db/rows.ts";
import { UnusableEvent, type Entity, type LiveEvent } from "./event.ts";

export type EventOutcome =
  /** Written. */
  | "applied"
  /** The database already holds this copy or a newer one from Clerk. */
  | "kept-newer"
  /** The record (or its user or organization) was deleted: a late copy does not bring it back. */
  | "stays-deleted"
  | "deleted"
  /** Same Svix message id as one applied before. */
  | "duplicate";

/** The event needs something not there yet (a membership before its user): answer 5xx, Svix retries. */
export class NotYetApplicable extends Error {
  override name = "NotYetApplicable";
}

export interface ApplyEventOptions {
  sidecarDir: string;
  map: MapOptions;
}

const TABLE: Record<Entity, MirroredTable> = { user: "User", organization: "Organization", membership: "OrganizationMembership" };

export function applyLiveEvent(pool: pg.Pool, svixId: string, event: LiveEvent, options: ApplyEventOptions): Promise<EventOutcome> {
  return inTransaction(pool, (client) => applyInTransaction(client, svixId, event, options));
}

async function applyInTransaction(client: pg.PoolClient, svixId: string, event: LiveEvent, options: ApplyEventOptions): Promise<EventOutcome> {
  const ledger = await client.query(`INSERT INTO "ClerkWebhookDelivery" ("svixId", "eventType") VALUES ($1, $2) ON CONFLICT DO NOTHING`, [svixId, event.type]);
  if (!ledger.rowCount) return "duplicate";
  // Events of another Clerk instance would mix ids of two instances into one database.
  const synced = (await readSyncedInstance(client))?.instanceId ?? null;
  if (synced && event.instanceId && synced !== event.instanceId) throw new UnusableEvent(`event of Clerk instance ${event.instanceId}, but this database is synced from ${synced}`);
  const { change } = event;
  const table = TABLE[change.entity];
  // Deliveries about one record run one at a time: an update racing its delete must see the tombstone.
  await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [change.id]);
  if (change.op === "delete") {
    const ids = { User: [], Organization: [], OrganizationMembership: [], [table]: [change.id] } as Record<MirroredTable, string[]>;
    await savePrunedLocalData(client, ids, { instanceId: synced, sidecarDir: options.sidecarDir });
    await deleteByIds(client, table, [change.id], "webhook");
    return "deleted";
  }
  const mapped = mapRecord(change.entity, change.record, options.map);
  if ("invalid" in mapped) throw new UnusableEvent(`${change.entity} ${mapped.invalid.id}: ${mapped.invalid.reason}`);
  if (change.entity === "membership") {
    const m = mapped.row as MembershipRow;
    const gone = await tombstoned(client, [m.id, m.userId, m.organizationId]);
    if (gone) return "stays-deleted";
    const { rows } = await client.query<{ user: boolean; org: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM "User" WHERE id = $1) AS user, EXISTS (SELECT 1 FROM "Organization" WHERE id = $2) AS org`,
      [m.userId, m.organizationId],
    );
    if (!rows[0]!.user || !rows[0]!.org) throw new NotYetApplicable(`membership ${m.id} names ${!rows[0]!.user ? `user ${m.userId}` : `organization ${m.organizationId}`}, not in the database yet; retry`);
    // The same user re-added under a new membership id, its delete not delivered yet: the newer record wins.
    const { rows: twins } = await client.query<{ id: string; newer: boolean }>(
      `SELECT id, "createdAt" > to_timestamp($4::float8 / 1000) AS newer FROM "OrganizationMembership" WHERE "organizationId" = $1 AND "userId" = $2 AND id <> $3`,
      [m.organizationId, m.userId, m.id, m.createdAt],
    );
    if (twins.some((t) => t.newer)) return "kept-newer";
    if (twins.length) {
      const ids = { User: [], Organization: [], OrganizationMembership: twins.map((t) => t.id) };
      await savePrunedLocalData(client, ids, { instanceId: synced, sidecarDir: options.sidecarDir });
      await deleteByIds(client, "OrganizationMembership", ids.OrganizationMembership, "webhook");
    }
  }
  const written =
    change.entity === "user" ? await upsertUsers(client, [mapped.row as UserRow], WEBHOOK_ORIGIN)
    : change.entity === "organization" ? await upsertOrganizations(client, [mapped.row as OrganizationRow], WEBHOOK_ORIGIN)
    : await upsertMemberships(client, [mapped.row as MembershipRow], WEBHOOK_ORIGIN);
  // A resync's delete committed while this upsert waited on the row: its tombstone wins.
  if (await removeTombstoned(client, table, 0, [change.id])) return "stays-deleted";
  if (written) return "applied";
  return (await tombstoned(client, [change.id])) ? "stays-deleted" : "kept-newer";
}

async function tombstoned(client: pg.PoolClient, ids: string[]): Promise<boolean> {
  const { rows } = await client.query(`SELECT 1 FROM "ClerkTombstone" WHERE id = ANY($1::text[]) LIMIT 1`, [ids]);
  return rows.length > 0;
}

/**
 * An event type the mirror does not follow, acknowledged: its ledger row says it arrived (and was
 * ignored) for whoever looks at what Clerk sent. False when this svix-id was seen before.
 */
export async function recordIgnoredEvent(pool: pg.Pool, svixId: string, eventType: string): Promise<boolean> {
  const res = await pool.query(`INSERT INTO "ClerkWebhookDelivery" ("svixId", "eventType") VALUES ($1, $2) ON CONFLICT DO NOTHING`, [svixId, eventType]);
  return (res.rowCount ?? 0) > 0;
}

/** Svix retries for days, not weeks: ledger rows older than that only take room. */
export const LEDGER_RETENTION_DAYS = 14;

export async function pruneDeliveryLedger(pool: pg.Pool): Promise<number> {
  const res = await pool.query(`DELETE FROM "ClerkWebhookDelivery" WHERE "receivedAt" < now() - make_interval(days => $1)`, [LEDGER_RETENTION_DAYS]);
  return res.rowCount ?? 0;
}

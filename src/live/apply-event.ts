// Applies one webhook event through the resync's own write unit (mirror/write-unit.ts): the same zod mapping, the same
// guarded set-based upserts (an older copy from Clerk never replaces a newer one), the same
// deletes with tombstones, the same pruned sidecar. One transaction per delivery, the delivery
// ledger included, so a redelivery is applied once and a failure applies nothing.
import type pg from "pg";
import { WEBHOOK_ORIGIN, writeMirror, type MirrorWrite } from "../mirror/write-unit.ts";
import type { MirroredTable } from "../mirror/columns.ts";
import { readSyncedInstance } from "../mirror/sync-state.ts";
import { inTransaction } from "../db/transaction.ts";
import { savePrunedLocalData } from "../sidecar/prune.ts";
import { mapRecord, type MapOptions } from "../sync/map.ts";
import type { MembershipRow } from "../mirror/rows.ts";
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
const ENTITY_KEY = { user: "users", organization: "organizations", membership: "memberships" } as const;

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
    await writeMirror(client, { deletes: { [ENTITY_KEY[change.entity]]: [change.id] } }, WEBHOOK_ORIGIN);
    return "deleted";
  }
  const mapped = mapRecord(change.entity, change.record, options.map);
  if ("invalid" in mapped) throw new UnusableEvent(`${change.entity} ${mapped.invalid.id}: ${mapped.invalid.reason}`);
  const write: MirrorWrite = { [ENTITY_KEY[change.entity]]: [mapped.row] };
  if (change.entity === "membership") {
    const m = mapped.row as MembershipRow;
    const gone = await tombstoned(client, [m.id, m.userId, m.organizationId]);
    if (gone) return "stays-deleted";
    const { rows } = await client.query<{ user: boolean; org: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM "User" WHERE id = $1) AS user, EXISTS (SELECT 1 FROM "Organization" WHERE id = $2) AS org`,
      [m.userId, m.organizationId],
    );
    if (!rows[0]!.user || !rows[0]!.org) throw new NotYetApplicable(`membership ${m.id} names ${!rows[0]!.user ? `user ${m.userId}` : `organization ${m.organizationId}`}, not in the database yet; retry`);
    // The same user re-added under a new membership id, its delete not delivered yet: the newer
    // record wins, and takes the older one's row (the app's columns kept), as a resync does.
    const twin = await membershipTwin(client, m);
    if (twin?.newer) return "kept-newer";
    if (twin) write.rekeys = [{ previousId: twin.id, id: m.id }];
  }
  const result = await writeMirror(client, write, WEBHOOK_ORIGIN);
  // A resync's delete committed while this upsert waited on the row: its tombstone wins.
  if (result.tombstoned) return "stays-deleted";
  if (result.written) return "applied";
  return (await tombstoned(client, [change.id])) ? "stays-deleted" : "kept-newer";
}

/** The row holding this membership's (organization, user) pair under another id, if any. */
async function membershipTwin(client: pg.PoolClient, m: MembershipRow): Promise<{ id: string; newer: boolean } | undefined> {
  const { rows } = await client.query<{ id: string; newer: boolean }>(
    `SELECT id, "createdAt" > to_timestamp($4::float8 / 1000) AS newer FROM "OrganizationMembership" WHERE "organizationId" = $1 AND "userId" = $2 AND id <> $3`,
    [m.organizationId, m.userId, m.id, m.createdAt],
  );
  return rows[0];
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

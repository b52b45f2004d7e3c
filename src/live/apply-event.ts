// Applies one webhook event through the resync's own write unit (mirror/write-unit.ts): the same zod mapping, the same
// guarded set-based upserts (an older copy from Clerk never replaces a newer one), the same
// deletes with tombstones, the same pruned sidecar. One transaction per delivery, the delivery
// ledger included, so a redelivery is applied once and a failure applies nothing.
import type pg from "pg";
import { WEBHOOK_ORIGIN, writeMirror, type MirrorWrite } from "../mirror/write-unit.ts";
import type { Mirror } from "../mirror/columns.ts";
import { recordDelivery, lockRecord } from "../mirror/delivery-ledger.ts";
import { anyTombstoned, membershipTwin, missingParent } from "../mirror/membership-checks.ts";
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
  /** Where Clerk's records live in the app's database (default: today's schema). */
  mirror?: Mirror;
}

const ENTITY_KEY = { user: "users", organization: "organizations", membership: "memberships" } as const;

export function applyLiveEvent(pool: pg.Pool, svixId: string, event: LiveEvent, options: ApplyEventOptions): Promise<EventOutcome> {
  return inTransaction(pool, (client) => applyInTransaction(client, svixId, event, options));
}

async function applyInTransaction(client: pg.PoolClient, svixId: string, event: LiveEvent, options: ApplyEventOptions): Promise<EventOutcome> {
  if (!(await recordDelivery(client, svixId, event.type))) return "duplicate";
  // Events of another Clerk instance would mix ids of two instances into one database.
  const synced = (await readSyncedInstance(client))?.instanceId ?? null;
  if (synced && event.instanceId && synced !== event.instanceId) throw new UnusableEvent(`event of Clerk instance ${event.instanceId}, but this database is synced from ${synced}`);
  const { change } = event;
  // Deliveries about one record run one at a time: an update racing its delete must see the tombstone.
  await lockRecord(client, change.id);
  if (change.op === "delete") {
    const ids = { users: [], organizations: [], memberships: [], [ENTITY_KEY[change.entity]]: [change.id] };
    await savePrunedLocalData(client, ids, { instanceId: synced, sidecarDir: options.sidecarDir, mirror: options.mirror });
    await writeMirror(client, { deletes: { [ENTITY_KEY[change.entity]]: [change.id] } }, WEBHOOK_ORIGIN, { mirror: options.mirror });
    return "deleted";
  }
  const mapped = mapRecord(change.entity, change.record, { ...options.map, mirror: options.mirror });
  if ("invalid" in mapped) throw new UnusableEvent(`${change.entity} ${mapped.invalid.id}: ${mapped.invalid.reason}`);
  const write: MirrorWrite = { [ENTITY_KEY[change.entity]]: [mapped.row] };
  if (change.entity === "membership") {
    const m = mapped.row as MembershipRow;
    if (await anyTombstoned(client, [m.id, m.userId, m.organizationId])) return "stays-deleted";
    const missing = await missingParent(client, m, options.mirror);
    if (missing) throw new NotYetApplicable(`membership ${m.id} names ${missing}, not in the database yet; retry`);
    // The same user re-added under a new membership id, its delete not delivered yet: the newer
    // record wins, and takes the older one's row (the app's columns kept), as a resync does.
    const twin = await membershipTwin(client, m, options.mirror);
    if (twin?.newer) return "kept-newer";
    if (twin) write.rekeys = [{ previousId: twin.id, id: m.id }];
  }
  const result = await writeMirror(client, write, WEBHOOK_ORIGIN, { mirror: options.mirror });
  // A resync's delete committed while this upsert waited on the row: its tombstone wins.
  if (result.tombstoned) return "stays-deleted";
  if (result.written) return "applied";
  return (await anyTombstoned(client, [change.id])) ? "stays-deleted" : "kept-newer";
}

/**
 * An event type the mirror does not follow, acknowledged: its ledger row says it arrived (and was
 * ignored) for whoever looks at what Clerk sent. False when this svix-id was seen before.
 */
export function recordIgnoredEvent(pool: pg.Pool, svixId: string, eventType: string): Promise<boolean> {
  return recordDelivery(pool, svixId, eventType);
}

// The one guarded write of Clerk's records into the mirror. Resync (early writer and apply), the
// watcher and webhooks all call writeMirror inside their own transaction; it always runs the same
// steps in the same order: clear stale tombstones → upsert (parents first, membership re-keys
// before memberships) → remove what a concurrent delete tombstoned → delete → record the instance.
import type pg from "pg";
import { chunk } from "../chunk.ts";
import { DEFAULT_MIRROR, type EntityName, type EntitySpec, type Mirror } from "./columns.ts";
import type { MembershipRow, OrganizationRow, UserRow } from "./rows.ts";
import { writeSyncedInstance } from "./sync-state.ts";
import {
  clearTombstones,
  deleteByIds,
  removeTombstoned,
  upsertRows,
  type TableFactsCache,
  writeMembershipRekeys,
  type WriteOrigin,
} from "./writes.ts";

export type { TableFactsCache, WriteOrigin } from "./writes.ts";
export { RESYNC_ORIGIN, WEBHOOK_ORIGIN } from "./writes.ts";

export const WRITE_BATCH_SIZE = 5000;

/** A membership that takes over the row of another id for the same (organization, user) pair. */
export interface MembershipRekey {
  previousId: string;
  id: string;
}

export interface MirrorWrite {
  users?: readonly UserRow[];
  organizations?: readonly OrganizationRow[];
  memberships?: readonly MembershipRow[];
  /**
   * Clerk ids listed again by a listing that started after their tombstones: the records are
   * Clerk's again, so those tombstones go before the upserts.
   */
  relisted?: readonly string[];
  /**
   * Clerk allows one membership per (organization, user). A new membership id for a pair the
   * mirror holds under another id re-keys that row, keeping the app's columns; the old record's
   * provenance is cleared, so the new record's copy is written whatever its timestamps.
   */
  rekeys?: readonly MembershipRekey[];
  /** Clerk ids to delete (a tombstone each), memberships first. */
  deletes?: { users?: readonly string[]; organizations?: readonly string[]; memberships?: readonly string[] };
  /** The Clerk instance the records come from, recorded with them. */
  instanceId?: string;
}

export interface MirrorWriteResult {
  /** Rows upserted, re-keyed and deleted. */
  written: number;
  /** Upserted rows removed again: a delete that committed meanwhile tombstoned them. */
  tombstoned: number;
}

/**
 * Runs one write in the caller's transaction. `onBatch` hears of each batch written (its row
 * count), for progress. Upserts are guarded (an older copy from Clerk never replaces a newer one),
 * so the same write may run more than once.
 */
export async function writeMirror(
  client: pg.PoolClient,
  write: MirrorWrite,
  origin: WriteOrigin,
  options: { mirror?: Mirror; batchSize?: number; onBatch?: (rows: number) => void; facts?: TableFactsCache } = {},
): Promise<MirrorWriteResult> {
  const facts = options.facts ?? new Map();
  const mirror = options.mirror ?? DEFAULT_MIRROR;
  const size = options.batchSize ?? WRITE_BATCH_SIZE;
  const spec = (entity: EntityName) => mirror[entity] as EntitySpec<never>;
  const result: MirrorWriteResult = { written: 0, tombstoned: 0 };
  for (const ids of chunk(write.relisted ?? [], size)) await clearTombstones(client, ids, origin.tombstonesSince);

  const upsertAll = async <E extends EntityName>(entity: E) => {
    for (const batch of chunk<NonNullable<MirrorWrite[E]>[number]>(write[entity] ?? [], size)) {
      result.written += await upsertRows(client, mirror, entity, batch as never, origin, facts);
      // A row the upsert inserted while a concurrent delete of the same id committed (a webhook):
      // the upsert's snapshot did not show that delete's tombstone, this statement does, so the row
      // goes again before anyone sees it. (A row deleted while the upsert waited on it is not
      // re-inserted: the upsert's one snapshot still shows it, so its INSERT skips it.)
      result.tombstoned += await removeTombstoned(client, spec(entity), origin.tombstonesSince, batch.map((r) => r.id));
      options.onBatch?.(batch.length);
    }
  };
  await upsertAll("users");
  await upsertAll("organizations");
  result.written += await writeMembershipRekeys(client, write.rekeys ?? [], mirror);
  await upsertAll("memberships");

  const deletes = write.deletes ?? {};
  for (const entity of ["memberships", "users", "organizations"] as const) {
    for (const batch of chunk(deletes[entity] ?? [], size)) {
      result.written += await deleteByIds(client, spec(entity), batch, origin.source);
      options.onBatch?.(batch.length);
    }
  }
  if (write.instanceId) await writeSyncedInstance(client, write.instanceId);
  return result;
}

import type pg from "pg";
import { writeSyncedInstance } from "../db/sync-state.ts";
import { inTransaction } from "../db/transaction.ts";
import { clearTombstones, deleteByIds, removeTombstoned, writeMembershipRekeys, upsertMemberships, upsertOrganizations, upsertUsers, type WriteOrigin } from "../db/sync-writes.ts";
import { chunk as batches } from "./chunk.ts";
import type { EntityPlan, SyncPlan } from "./plan.ts";
import type { OrganizationRow, UserRow } from "../db/rows.ts";

export const APPLY_BATCH_SIZE = 5000;

export interface ApplyResult {
  rowsWritten: number;
}

/** Rows less those already written (by the upsert writer). */
function unwritten<R extends object>(rows: R[], written?: ReadonlySet<object>): R[] {
  return written?.size ? rows.filter((r) => !written.has(r)) : rows;
}

/** The plan's creates and updates still to write. */
function upsertRows<R extends object>(p: EntityPlan<R>, written?: ReadonlySet<object>): R[] {
  return unwritten([...p.create, ...p.update.map((u) => u.row)], written);
}

/** When the listing started (epoch ms): tombstones from then on win over what it listed. */
export interface ApplyTiming {
  listedSince: number;
}

export const originOf = (t: ApplyTiming): WriteOrigin => ({ source: "resync", tombstonesSince: t.listedSince });

/** Records Clerk lists although a tombstone from before the listing says deleted: Clerk's again. */
async function clearStaleTombstones(client: pg.PoolClient, created: readonly { id: string }[], t: ApplyTiming): Promise<void> {
  for (const b of batches(created, APPLY_BATCH_SIZE)) await clearTombstones(client, b.map((r) => r.id), t.listedSince);
}

/** Creates and updates of users and organizations, in one transaction (the watcher's users tick). Never deletes. */
export async function applyParents(
  pool: pg.Pool,
  users: EntityPlan<UserRow>,
  organizations: EntityPlan<OrganizationRow>,
  options: { instanceId: string; batchSize?: number } & ApplyTiming,
): Promise<number> {
  const size = options.batchSize ?? APPLY_BATCH_SIZE;
  const userRows = upsertRows(users);
  const orgRows = upsertRows(organizations);
  if (!userRows.length && !orgRows.length) return 0;
  return inTransaction(pool, async (client) => {
    let written = 0;
    await clearStaleTombstones(client, [...users.create, ...organizations.create], options);
    for (const b of batches(userRows, size)) written += await upsertUsers(client, b, originOf(options));
    for (const b of batches(orgRows, size)) written += await upsertOrganizations(client, b, originOf(options));
    for (const table of ["User", "Organization"] as const) await removeTombstoned(client, table, options.listedSince);
    await writeSyncedInstance(client, options.instanceId);
    return written;
  });
}

/**
 * Applies the rest of a plan (all of it but the rows in `written`) in one transaction: all of it or
 * none of it, so an interrupted run leaves it undone and a rerun converges. Parents before
 * children; deletes last, children first.
 */
export async function applyPlan(
  pool: pg.Pool,
  plan: SyncPlan,
  options: { instanceId: string; written?: ReadonlySet<object>; batchSize?: number; onProgress?: (done: number, total: number) => void } & ApplyTiming,
): Promise<ApplyResult> {
  const size = options.batchSize ?? APPLY_BATCH_SIZE;
  const users = upsertRows(plan.users, options.written);
  const orgs = upsertRows(plan.organizations, options.written);
  const mems = upsertRows(plan.memberships, options.written);
  const rekeys = plan.memberships.update.flatMap((u) => (u.previousId ? [{ previousId: u.previousId, id: u.row.id }] : []));
  const total = users.length + orgs.length + mems.length + plan.users.stale.length + plan.organizations.stale.length + plan.memberships.stale.length;
  let done = 0;
  let written = 0;
  const step = async (n: number, write: Promise<number>) => {
    written += await write;
    done += n;
    options.onProgress?.(done, total);
  };
  const origin = originOf(options);
  options.onProgress?.(0, total);
  await inTransaction(pool, async (client) => {
    await clearStaleTombstones(client, unwritten([...plan.users.create, ...plan.organizations.create, ...plan.memberships.create], options.written), options);
    for (const b of batches(users, size)) await step(b.length, upsertUsers(client, b, origin));
    for (const b of batches(orgs, size)) await step(b.length, upsertOrganizations(client, b, origin));
    written += await writeMembershipRekeys(client, rekeys);
    for (const b of batches(mems, size)) await step(b.length, upsertMemberships(client, b, origin));
    for (const table of ["User", "Organization", "OrganizationMembership"] as const) await removeTombstoned(client, table, options.listedSince);
    for (const b of batches(plan.memberships.stale, size)) await step(b.length, deleteByIds(client, "OrganizationMembership", b));
    for (const b of batches(plan.users.stale, size)) await step(b.length, deleteByIds(client, "User", b));
    for (const b of batches(plan.organizations.stale, size)) await step(b.length, deleteByIds(client, "Organization", b));
    await writeSyncedInstance(client, options.instanceId);
  });
  return { rowsWritten: written };
}

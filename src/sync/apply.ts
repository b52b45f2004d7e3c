import type pg from "pg";
import { inTransaction } from "../db/transaction.ts";
import { writeMirror, WRITE_BATCH_SIZE, type WriteOrigin } from "../mirror/write-unit.ts";
import type { EntityPlan, SyncPlan } from "./plan.ts";
import type { Mirror } from "../mirror/columns.ts";
import type { OrganizationRow, UserRow } from "../mirror/rows.ts";

export const APPLY_BATCH_SIZE = WRITE_BATCH_SIZE;

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

/** Ids the plan creates: a tombstone from before the listing no longer stands for them. */
const createdIds = (...plans: EntityPlan<{ id: string }>[]) => plans.flatMap((p) => p.create.map((r) => r.id));

/** Creates and updates of users and organizations, in one transaction (the watcher's users tick). Never deletes. */
export async function applyParents(
  pool: pg.Pool,
  users: EntityPlan<UserRow>,
  organizations: EntityPlan<OrganizationRow>,
  options: { instanceId: string; batchSize?: number; mirror?: Mirror } & ApplyTiming,
): Promise<number> {
  const write = { users: upsertRows(users), organizations: upsertRows(organizations), relisted: createdIds(users, organizations), instanceId: options.instanceId };
  if (!write.users.length && !write.organizations.length) return 0;
  return inTransaction(pool, async (client) => (await writeMirror(client, write, originOf(options), { batchSize: options.batchSize, mirror: options.mirror })).written);
}

/**
 * Applies the rest of a plan (all of it but the rows in `written`) in one transaction: all of it or
 * none of it, so an interrupted run leaves it undone and a rerun converges. Parents before
 * children; deletes last, children first.
 */
export async function applyPlan(
  pool: pg.Pool,
  plan: SyncPlan,
  options: { instanceId: string; written?: ReadonlySet<object>; batchSize?: number; onProgress?: (done: number, total: number) => void; mirror?: Mirror } & ApplyTiming,
): Promise<ApplyResult> {
  const users = upsertRows(plan.users, options.written);
  const organizations = upsertRows(plan.organizations, options.written);
  const memberships = upsertRows(plan.memberships, options.written);
  const rekeys = plan.memberships.update.flatMap((u) => (u.previousId ? [{ previousId: u.previousId, id: u.row.id }] : []));
  const relisted = unwritten([...plan.users.create, ...plan.organizations.create, ...plan.memberships.create], options.written).map((r) => r.id);
  const deletes = { users: plan.users.stale, organizations: plan.organizations.stale, memberships: plan.memberships.stale };
  const total = users.length + organizations.length + memberships.length + deletes.users.length + deletes.organizations.length + deletes.memberships.length;
  let done = 0;
  options.onProgress?.(0, total);
  const { written } = await inTransaction(pool, (client) =>
    writeMirror(client, { users, organizations, memberships, rekeys, relisted, deletes, instanceId: options.instanceId }, originOf(options), {
      batchSize: options.batchSize,
      mirror: options.mirror,
      onBatch: (n) => options.onProgress?.((done += n), total),
    }),
  );
  return { rowsWritten: written };
}

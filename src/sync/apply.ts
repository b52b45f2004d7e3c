import type pg from "pg";
import { writeSyncedInstance } from "../db/sync-state.ts";
import { deleteByIds, rekeyMemberships, upsertMemberships, upsertOrganizations, upsertUsers } from "../db/sync-writes.ts";
import type { EntityPlan, SyncPlan } from "./plan.ts";

export const APPLY_BATCH_SIZE = 5000;

export interface ApplyResult {
  rowsWritten: number;
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function upsertRows<R>(p: EntityPlan<R>): R[] {
  return [...p.create, ...p.update.map((u) => u.row)];
}

/**
 * Applies a plan in one transaction: all of it or none of it, so an interrupted run leaves the
 * database as it was and a rerun converges. Parents before children (users and organizations,
 * then memberships); deletes last, children first.
 */
export async function applyPlan(
  pool: pg.Pool,
  plan: SyncPlan,
  options: { instanceId: string; batchSize?: number; onProgress?: (done: number, total: number) => void },
): Promise<ApplyResult> {
  const size = options.batchSize ?? APPLY_BATCH_SIZE;
  const users = upsertRows(plan.users);
  const orgs = upsertRows(plan.organizations);
  const mems = upsertRows(plan.memberships);
  const rekeys = plan.memberships.update.flatMap((u) => (u.previousId ? [{ previousId: u.previousId, id: u.row.id }] : []));
  const total = users.length + orgs.length + mems.length + plan.users.stale.length + plan.organizations.stale.length + plan.memberships.stale.length;
  let done = 0;
  let written = 0;
  const step = async (n: number, write: Promise<number>) => {
    written += await write;
    done += n;
    options.onProgress?.(done, total);
  };
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    for (const b of batches(users, size)) await step(b.length, upsertUsers(client, b));
    for (const b of batches(orgs, size)) await step(b.length, upsertOrganizations(client, b));
    written += await rekeyMemberships(client, rekeys);
    for (const b of batches(mems, size)) await step(b.length, upsertMemberships(client, b));
    for (const b of batches(plan.memberships.stale, size)) await step(b.length, deleteByIds(client, "OrganizationMembership", b));
    for (const b of batches(plan.users.stale, size)) await step(b.length, deleteByIds(client, "User", b));
    for (const b of batches(plan.organizations.stale, size)) await step(b.length, deleteByIds(client, "Organization", b));
    await writeSyncedInstance(client, options.instanceId);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return { rowsWritten: written };
}

import type pg from "pg";
import { SafetyError } from "../errors.ts";

/** The Clerk instance this database was last synced from, if any. */
export async function readSyncedInstance(pool: pg.Pool | pg.PoolClient): Promise<{ instanceId: string; lastSyncAt: Date } | undefined> {
  const { rows } = await pool.query<{ instanceId: string; lastSyncAt: Date }>(`SELECT "instanceId", "lastSyncAt" FROM "ClerkSyncState" WHERE id = 1`);
  return rows[0];
}

export async function writeSyncedInstance(client: pg.Pool | pg.PoolClient, instanceId: string): Promise<void> {
  await client.query(
    `INSERT INTO "ClerkSyncState" (id, "instanceId", "lastSyncAt") VALUES (1, $1, now())
     ON CONFLICT (id) DO UPDATE SET "instanceId" = EXCLUDED."instanceId", "lastSyncAt" = EXCLUDED."lastSyncAt"`,
    [instanceId],
  );
}

/**
 * One Clerk instance per database: ids never carry over between instances. Stops unless the
 * database was never synced, was synced from `instanceId`, or `force` (--force-instance).
 * `source` says where `instanceId` comes from; `remedy` what to do instead.
 */
export async function assertSyncedFrom(pool: pg.Pool | pg.PoolClient, instanceId: string, options: { force: boolean; source: string; remedy: string }): Promise<void> {
  if (options.force) return;
  const synced = await readSyncedInstance(pool);
  if (!synced || synced.instanceId === instanceId) return;
  throw new SafetyError(`This database was synced from Clerk instance ${synced.instanceId}, but ${options.source} belongs to ${instanceId}. Ids never carry over between Clerk instances: ${options.remedy}`);
}

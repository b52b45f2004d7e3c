import type pg from "pg";

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

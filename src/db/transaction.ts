import type pg from "pg";

/** `work` on one connection inside BEGIN … COMMIT; any error rolls all of it back. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = "BEGIN"): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Reads that see one moment of the database, whatever writes go on beside them (a backup). */
export const inSnapshot = <T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>) => inTransaction(pool, work, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");

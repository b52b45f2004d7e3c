import type pg from "pg";
import { DEFAULT_MIRROR, ident, type Mirror } from "../mirror/columns.ts";

/** Rows of Clerk's tables: what the resync must bring back. */
export interface ClerkCounts {
  users: number;
  organizations: number;
  memberships: number;
}

/** Whether the app's migrations made Clerk's tables (the memberships table is the last of them). */
export async function isMigrated(pool: pg.Pool | pg.PoolClient, mirror: Mirror = DEFAULT_MIRROR): Promise<boolean> {
  const { rows } = await pool.query<{ migrated: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS migrated`, [ident(mirror.memberships.table)]);
  return rows[0]?.migrated === true;
}

/** Zeros for a database not migrated yet. */
export async function countClerkTables(pool: pg.Pool | pg.PoolClient, mirror: Mirror = DEFAULT_MIRROR): Promise<ClerkCounts> {
  if (!(await isMigrated(pool, mirror))) return { users: 0, organizations: 0, memberships: 0 };
  const { rows } = await pool.query<Record<keyof ClerkCounts, string>>(`SELECT
    (SELECT count(*) FROM ${ident(mirror.users.table)}) AS users,
    (SELECT count(*) FROM ${ident(mirror.organizations.table)}) AS organizations,
    (SELECT count(*) FROM ${ident(mirror.memberships.table)}) AS memberships`);
  const r = rows[0]!;
  return { users: Number(r.users), organizations: Number(r.organizations), memberships: Number(r.memberships) };
}

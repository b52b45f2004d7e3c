import type pg from "pg";

/** Rows of Clerk's tables: what the resync must bring back. */
export interface ClerkCounts {
  users: number;
  organizations: number;
  memberships: number;
}

export async function isMigrated(pool: pg.Pool | pg.PoolClient): Promise<boolean> {
  const { rows } = await pool.query<{ migrated: boolean }>(`SELECT to_regclass('"OrganizationMembership"') IS NOT NULL AS migrated`);
  return rows[0]?.migrated === true;
}

/** Zeros for a database not migrated yet. */
export async function countClerkTables(pool: pg.Pool | pg.PoolClient): Promise<ClerkCounts> {
  if (!(await isMigrated(pool))) return { users: 0, organizations: 0, memberships: 0 };
  const { rows } = await pool.query<Record<keyof ClerkCounts, string>>(`SELECT
    (SELECT count(*) FROM "User") AS users,
    (SELECT count(*) FROM "Organization") AS organizations,
    (SELECT count(*) FROM "OrganizationMembership") AS memberships`);
  const r = rows[0]!;
  return { users: Number(r.users), organizations: Number(r.organizations), memberships: Number(r.memberships) };
}

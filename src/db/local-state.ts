import type pg from "pg";
import type { LocalState, MembershipRow, OrganizationRow, UserRow } from "../sync/rows.ts";

const ms = (d: Date) => d.getTime();

/** Reads the Clerk-mirrored tables as rows comparable with the mapped Clerk snapshot. */
export async function readLocalState(pool: pg.Pool | pg.PoolClient): Promise<LocalState> {
  const [users, orgs, mems] = await Promise.all([
    pool.query<UserRow & { createdAt: Date; updatedAt: Date }>(`SELECT id, email, "firstName", "lastName", username, "imageUrl", "createdAt", "updatedAt" FROM "User"`),
    pool.query<OrganizationRow & { createdAt: Date; updatedAt: Date }>(`SELECT id, name, slug, "imageUrl", "createdAt", "updatedAt" FROM "Organization"`),
    pool.query<MembershipRow & { createdAt: Date; updatedAt: Date }>(`SELECT id, "organizationId", "userId", role, "createdAt", "updatedAt" FROM "OrganizationMembership"`),
  ]);
  return {
    users: users.rows.map((r) => ({ ...r, createdAt: ms(r.createdAt), updatedAt: ms(r.updatedAt) })),
    organizations: orgs.rows.map((r) => ({ ...r, createdAt: ms(r.createdAt), updatedAt: ms(r.updatedAt) })),
    memberships: mems.rows.map((r) => ({ ...r, createdAt: ms(r.createdAt), updatedAt: ms(r.updatedAt) })),
  };
}

export async function countLocalRows(pool: pg.Pool | pg.PoolClient): Promise<{ users: number; organizations: number; memberships: number }> {
  const { rows } = await pool.query<{ users: string; organizations: string; memberships: string }>(
    `SELECT (SELECT count(*) FROM "User") AS users, (SELECT count(*) FROM "Organization") AS organizations, (SELECT count(*) FROM "OrganizationMembership") AS memberships`,
  );
  const r = rows[0]!;
  return { users: Number(r.users), organizations: Number(r.organizations), memberships: Number(r.memberships) };
}

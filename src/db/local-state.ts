import type pg from "pg";
import type { LocalState, MembershipRow, OrganizationRow, UserRow } from "../sync/rows.ts";

/** Timestamps as epoch ms straight from SQL: no Date objects to build and convert per row. */
const ms = (column: string) => `round(extract(epoch from "${column}") * 1000)::float8 AS "${column}"`;

/** Reads the Clerk-mirrored tables as rows comparable with the mapped Clerk snapshot. */
export async function readLocalState(pool: pg.Pool | pg.PoolClient): Promise<LocalState> {
  const [users, orgs, mems] = await Promise.all([
    pool.query<UserRow>(`SELECT id, email, "firstName", "lastName", username, "imageUrl", ${ms("createdAt")}, ${ms("updatedAt")} FROM "User"`),
    pool.query<OrganizationRow>(`SELECT id, name, slug, "imageUrl", ${ms("createdAt")}, ${ms("updatedAt")} FROM "Organization"`),
    pool.query<MembershipRow>(`SELECT id, "organizationId", "userId", role, ${ms("createdAt")}, ${ms("updatedAt")} FROM "OrganizationMembership"`),
  ]);
  return { users: users.rows, organizations: orgs.rows, memberships: mems.rows };
}

import type pg from "pg";
import { canonicalJson } from "./json-text.ts";
import type { Local, LocalState, MembershipRow, OrganizationRow, UserRow } from "./rows.ts";

/** Timestamps as epoch ms straight from SQL: no Date objects to build and convert per row. */
const ms = (column: string) => `round(extract(epoch from "${column}") * 1000)::float8 AS "${column}"`;
const PROVENANCE = `${ms("clerkUpdatedAt")}, "syncSource"`;

/** jsonb arrives parsed; the plan compares metadata as canonical text. */
function withCanonicalMetadata<R extends { publicMetadata: unknown; privateMetadata: unknown }>(rows: R[]): R[] {
  for (const r of rows) {
    r.publicMetadata = canonicalJson(r.publicMetadata);
    if (r.privateMetadata !== null) r.privateMetadata = canonicalJson(r.privateMetadata);
  }
  return rows;
}

const USER_SELECT = `SELECT id, email, "phoneNumber", "firstName", "lastName", username, "imageUrl", "externalId", "publicMetadata", "privateMetadata",
  banned, locked, ${ms("lastSignInAt")}, ${ms("createdAt")}, ${ms("updatedAt")}, ${PROVENANCE} FROM "User"`;

/** The local copies of these users only (the watcher's users tick). */
export async function readLocalUsers(pool: pg.Pool | pg.PoolClient, ids: readonly string[]): Promise<LocalState> {
  const { rows } = await pool.query<Local<UserRow>>(`${USER_SELECT} WHERE id = ANY($1::text[])`, [ids]);
  return { users: withCanonicalMetadata(rows), organizations: [], memberships: [] };
}

/** The newest Clerk updated_at of any user the mirror holds: where the watcher's users tick resumes. */
export async function readUsersWatermark(pool: pg.Pool | pg.PoolClient): Promise<number | null> {
  const { rows } = await pool.query<{ ms: number | null }>(`SELECT round(extract(epoch from max("clerkUpdatedAt")) * 1000)::float8 AS ms FROM "User"`);
  return rows[0]?.ms ?? null;
}

/** Reads the Clerk-mirrored tables as rows comparable with the mapped Clerk snapshot, with their provenance. */
export async function readLocalState(pool: pg.Pool | pg.PoolClient): Promise<LocalState> {
  const [users, orgs, mems] = await Promise.all([
    pool.query<Local<UserRow>>(USER_SELECT),
    pool.query<Local<OrganizationRow>>(
      `SELECT id, name, slug, "imageUrl", "publicMetadata", "privateMetadata", "maxAllowedMemberships", "createdBy", ${ms("createdAt")}, ${ms("updatedAt")}, ${PROVENANCE} FROM "Organization"`,
    ),
    pool.query<Local<MembershipRow>>(
      `SELECT id, "organizationId", "userId", role, coalesce(permissions, '{}') AS permissions, "publicMetadata", "privateMetadata", ${ms("createdAt")}, ${ms("updatedAt")}, ${PROVENANCE}
       FROM "OrganizationMembership"`,
    ),
  ]);
  return { users: withCanonicalMetadata(users.rows), organizations: withCanonicalMetadata(orgs.rows), memberships: withCanonicalMetadata(mems.rows) };
}

/** Labels (email or name; organization name) of these users and organizations, as the database has them. */
export async function readLabelSources(pool: pg.Pool, ids: { users: readonly string[]; organizations: readonly string[] }) {
  const [users, orgs] = await Promise.all([
    ids.users.length
      ? pool.query<Pick<UserRow, "id" | "email" | "username" | "phoneNumber" | "firstName" | "lastName">>(
          `SELECT id, email, username, "phoneNumber", "firstName", "lastName" FROM "User" WHERE id = ANY($1::text[])`,
          [ids.users],
        )
      : { rows: [] },
    ids.organizations.length ? pool.query<Pick<OrganizationRow, "id" | "name">>(`SELECT id, name FROM "Organization" WHERE id = ANY($1::text[])`, [ids.organizations]) : { rows: [] },
  ]);
  return { users: users.rows, organizations: orgs.rows };
}

import type pg from "pg";
import { canonicalJson } from "../sync/json-text.ts";
import type { Local, LocalState, MembershipRow, OrganizationRow, UserRow } from "../sync/rows.ts";

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

/** Reads the Clerk-mirrored tables as rows comparable with the mapped Clerk snapshot, with their provenance. */
export async function readLocalState(pool: pg.Pool | pg.PoolClient): Promise<LocalState> {
  const [users, orgs, mems] = await Promise.all([
    pool.query<Local<UserRow>>(
      `SELECT id, email, "phoneNumber", "firstName", "lastName", username, "imageUrl", "externalId", "publicMetadata", "privateMetadata",
         banned, locked, ${ms("lastSignInAt")}, ${ms("createdAt")}, ${ms("updatedAt")}, ${PROVENANCE} FROM "User"`,
    ),
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

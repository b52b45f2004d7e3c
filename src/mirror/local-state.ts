import pg from "pg";
import { canonicalJson } from "./json-text.ts";
import { createValuePool } from "./value-pool.ts";
import type { Local, LocalState, MembershipRow, OrganizationRow, UserRow } from "./rows.ts";
import { MEMBERSHIP, ORGANIZATION, PROVENANCE, USER, type ColumnSpec, type EntitySpec } from "./columns.ts";

/** Timestamps as epoch ms straight from SQL: no Date objects to build and convert per row. */
const ms = (column: string) => `round(extract(epoch from "${column}") * 1000)::float8`;

/** One registry column as the row field the plan compares. */
function selected({ field, column, type }: ColumnSpec): string {
  const value = type === "timestamptz" ? ms(column) : type === "text[]" ? `coalesce("${column}", '{}')` : `"${column}"`;
  return `${value} AS "${field}"`;
}

/** The mirrored columns of a table and its provenance (what the freshness rule reads), as row fields. */
function selectAll<R>(spec: EntitySpec<R>): string {
  const provenance = PROVENANCE.filter((c) => c.field !== "syncedAt");
  return `SELECT ${[spec.id, ...spec.compared, ...provenance].map(selected).join(", ")} FROM "${spec.table}"`;
}

/** Type ids pg's builtins do not name. */
const TEXT_ARRAY_OID = 1009;
const JSONB_OID = 3802;
type TypeId = Parameters<typeof pg.types.getTypeParser>[0];
const parseTextArray = pg.types.getTypeParser(TEXT_ARRAY_OID as TypeId) as (text: string) => string[];
/**
 * pg's parsers for one read of the mirror, keeping one copy of each distinct value (see
 * createValuePool): text[] and jsonb (as canonical text: the plan compares metadata as strings)
 * parsed once per distinct text.
 */
function createInterner() {
  const pool = createValuePool();
  return {
    string: pool.string,
    types: {
      getTypeParser: (oid: number, format?: "text" | "binary") => {
        if (oid === TEXT_ARRAY_OID) return (text: string) => pool.list(text, () => parseTextArray(text));
        if (oid === JSONB_OID) return (text: string) => pool.text(text, () => canonicalJson(JSON.parse(text)));
        return pg.types.getTypeParser(oid as TypeId, format);
      },
    },
  };
}

const USER_SELECT = selectAll(USER);

/** The local copies of these users only (the watcher's users tick). */
export async function readLocalUsers(pool: pg.Pool | pg.PoolClient, ids: readonly string[]): Promise<LocalState> {
  const { rows } = await pool.query<Local<UserRow>>({ text: `${USER_SELECT} WHERE id = ANY($1::text[])`, values: [ids], types: createInterner().types });
  return { users: rows, organizations: [], memberships: [] };
}

/** The newest Clerk updated_at of any user the mirror holds: where the watcher's users tick resumes. */
export async function readUsersWatermark(pool: pg.Pool | pg.PoolClient): Promise<number | null> {
  const { rows } = await pool.query<{ ms: number | null }>(`SELECT round(extract(epoch from max("clerkUpdatedAt")) * 1000)::float8 AS ms FROM "${USER.table}"`);
  return rows[0]?.ms ?? null;
}

/** Reads the Clerk-mirrored tables as rows comparable with the mapped Clerk snapshot, with their provenance. */
export async function readLocalState(pool: pg.Pool | pg.PoolClient): Promise<LocalState> {
  const intern = createInterner();
  const types = intern.types;
  const readUsers = () => pool.query<Local<UserRow>>({ text: USER_SELECT, types });
  const readOrgs = () => pool.query<Local<OrganizationRow>>({ text: selectAll(ORGANIZATION), types });
  const readMemberships = () => pool.query<Local<MembershipRow>>({ text: selectAll(MEMBERSHIP), types });
  // A pool runs the three reads on three connections; a single client runs one query at a time.
  const [users, orgs, mems] =
    "release" in pool ? [await readUsers(), await readOrgs(), await readMemberships()] : await Promise.all([readUsers(), readOrgs(), readMemberships()]);
  for (const r of users.rows) r.syncSource = intern.string(r.syncSource);
  for (const r of orgs.rows) r.syncSource = intern.string(r.syncSource);
  for (const r of mems.rows) {
    r.role = intern.string(r.role);
    r.syncSource = intern.string(r.syncSource);
  }
  return { users: users.rows, organizations: orgs.rows, memberships: mems.rows };
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

import pg from "pg";
import { canonicalJson } from "./json-text.ts";
import { createValuePool } from "./value-pool.ts";
import type { Local, LocalState, MembershipRow, OrganizationRow, UserRow } from "./rows.ts";
import { DEFAULT_MIRROR, ident, PROVENANCE, type ColumnSpec, type EntitySpec, type Mirror } from "./columns.ts";

/** Timestamps as epoch ms straight from SQL: no Date objects to build and convert per row. */
const ms = (value: string) => `round(extract(epoch from ${value}) * 1000)::float8`;

/** One registry column of row `m` as the row field the plan compares (a parent's app key as its Clerk id). */
function selected(mirror: Mirror, { field, column, type, refers, pick }: ColumnSpec): string {
  const v = `m.${ident(column)}`;
  const parent = refers && mirror[refers];
  // A value picked out of metadata compares as JSON, whatever the column's type.
  const value = parent?.primaryKey
    ? `(SELECT p.${ident(parent.id.column)} FROM ${ident(parent.table)} p WHERE p.${ident(parent.primaryKey.column)} = ${v})`
    : pick ? `to_jsonb(${v})` : type === "timestamptz" ? ms(v) : type === "text[]" ? `coalesce(${v}, '{}')` : v;
  return `${value} AS "${field}"`;
}

/** The mirrored columns of a table and its provenance (what the freshness rule reads), as row fields. */
function selectAll<R>(mirror: Mirror, spec: EntitySpec<R>): string {
  const provenance = PROVENANCE.filter((c) => c.field !== "syncedAt");
  return `SELECT ${[spec.id, ...spec.compared, ...provenance].map((c) => selected(mirror, c)).join(", ")} FROM ${ident(spec.table)} m`;
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

/** The local copies of these users only (the watcher's users tick). */
export async function readLocalUsers(pool: pg.Pool | pg.PoolClient, ids: readonly string[], mirror = DEFAULT_MIRROR): Promise<LocalState> {
  const text = `${selectAll(mirror, mirror.users)} WHERE m.${ident(mirror.users.id.column)} = ANY($1::text[])`;
  const { rows } = await pool.query<Local<UserRow>>({ text, values: [ids], types: createInterner().types });
  return { users: rows, organizations: [], memberships: [] };
}

/** The newest Clerk updated_at of any user the mirror holds: where the watcher's users tick resumes. */
export async function readUsersWatermark(pool: pg.Pool | pg.PoolClient, mirror = DEFAULT_MIRROR): Promise<number | null> {
  const { rows } = await pool.query<{ ms: number | null }>(`SELECT ${ms(`max("clerkUpdatedAt")`)} AS ms FROM ${ident(mirror.users.table)}`);
  return rows[0]?.ms ?? null;
}

/** Reads the Clerk-mirrored tables as rows comparable with the mapped Clerk snapshot, with their provenance. */
export async function readLocalState(pool: pg.Pool | pg.PoolClient, mirror = DEFAULT_MIRROR): Promise<LocalState> {
  const intern = createInterner();
  const types = intern.types;
  const readUsers = () => pool.query<Local<UserRow>>({ text: selectAll(mirror, mirror.users), types });
  const readOrgs = () => pool.query<Local<OrganizationRow>>({ text: selectAll(mirror, mirror.organizations), types });
  const readMemberships = () => pool.query<Local<MembershipRow>>({ text: selectAll(mirror, mirror.memberships), types });
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
export async function readLabelSources(pool: pg.Pool, ids: { users: readonly string[]; organizations: readonly string[] }, mirror = DEFAULT_MIRROR) {
  /** The label fields the app maps, of the rows with these Clerk ids. */
  const read = <R>(spec: EntitySpec<R>, fields: readonly string[], clerkIds: readonly string[]) => {
    if (!clerkIds.length) return { rows: [] };
    const columns = [spec.id, ...spec.compared.filter((c) => fields.includes(c.field))].map((c) => `m.${ident(c.column)} AS "${c.field}"`);
    return pool.query(`SELECT ${columns.join(", ")} FROM ${ident(spec.table)} m WHERE m.${ident(spec.id.column)} = ANY($1::text[])`, [clerkIds]);
  };
  const [users, orgs] = await Promise.all([
    read(mirror.users, ["email", "username", "phoneNumber", "firstName", "lastName"], ids.users),
    read(mirror.organizations, ["name"], ids.organizations),
  ]);
  return {
    users: users.rows as Pick<UserRow, "id" | "email" | "username" | "phoneNumber" | "firstName" | "lastName">[],
    organizations: orgs.rows as Pick<OrganizationRow, "id" | "name">[],
  };
}

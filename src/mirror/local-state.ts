import pg from "pg";
import { idList, inIdList } from "./id-list.ts";
import { canonicalJson } from "./json-text.ts";
import { createValuePool } from "./value-pool.ts";
import type { EntityRow, Local, LocalIndex, LocalState, MembershipRow, OrganizationRow, UserRow } from "./rows.ts";
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
/** A jsonb value as the plan compares metadata: canonical text. */
const jsonbText = (text: string) => canonicalJson(JSON.parse(text));
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
        if (oid === TEXT_ARRAY_OID) return (text: string) => pool.list(text, parseTextArray);
        if (oid === JSONB_OID) return (text: string) => pool.text(text, jsonbText);
        return pg.types.getTypeParser(oid as TypeId, format);
      },
    },
  };
}

type Interner = ReturnType<typeof createInterner>;

/**
 * The rows of one mirrored table (of these Clerk ids only, when given), comparable with the mapped
 * Clerk snapshot, with their provenance; repeated texts kept once.
 */
async function readRows<R>(pool: pg.Pool | pg.PoolClient, mirror: Mirror, spec: EntitySpec<R>, intern: Interner, ids?: readonly string[]): Promise<Local<R>[]> {
  const where = ids ? ` WHERE ${inIdList(`m.${ident(spec.id.column)}`, "$1")}` : "";
  const { rows } = await pool.query<Local<R>>({ text: `${selectAll(mirror, spec)}${where}`, values: ids ? [idList(ids)] : [], types: intern.types });
  return rows;
}

/** Rows held for a whole run: their write paths ("resync", "webhook") kept once each. */
async function readHeldRows<R>(pool: pg.Pool | pg.PoolClient, mirror: Mirror, spec: EntitySpec<R>, intern: Interner): Promise<Local<R>[]> {
  const rows = await readRows(pool, mirror, spec, intern);
  // Indexed loops: these run once per read, mostly before they are optimized, where for-of allocates per row.
  for (let i = 0; i < rows.length; i++) rows[i]!.syncSource = intern.string(rows[i]!.syncSource);
  return rows;
}

/** Every membership: their roles and organizations repeat over the whole table, so they are kept once too. */
async function readMemberships(pool: pg.Pool | pg.PoolClient, mirror: Mirror, intern: Interner): Promise<Local<MembershipRow>[]> {
  const rows = await readHeldRows(pool, mirror, mirror.memberships, intern);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    r.role = intern.string(r.role);
    r.organizationId = intern.string(r.organizationId);
  }
  return rows;
}

/** The reads at once on a pool (a connection each); one after another on a single client, which runs one query at a time. */
async function readEach<T extends unknown[]>(pool: pg.Pool | pg.PoolClient, ...reads: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  if (!("release" in pool)) return (await Promise.all(reads.map((read) => read()))) as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as T;
}

/** The local copies of these users or organizations only (a listed page's, the watcher's users tick). */
export async function readLocalRows<E extends "users" | "organizations">(pool: pg.Pool | pg.PoolClient, entity: E, ids: readonly string[], mirror = DEFAULT_MIRROR): Promise<Local<EntityRow[E]>[]> {
  return readRows(pool, mirror, mirror[entity] as EntitySpec<EntityRow[E]>, createInterner(), ids);
}

/** The local copies of these users only (the watcher's users tick). */
export async function readLocalUsers(pool: pg.Pool | pg.PoolClient, ids: readonly string[], mirror = DEFAULT_MIRROR): Promise<LocalState> {
  return { users: await readLocalRows(pool, "users", ids, mirror), organizations: [], memberships: [] };
}

/** The Clerk ids of a table's rows: which records the database holds, without reading them. */
async function readLocalIds<R>(pool: pg.Pool | pg.PoolClient, spec: EntitySpec<R>): Promise<string[]> {
  const { rows } = await pool.query<[string]>({ text: `SELECT m.${ident(spec.id.column)} FROM ${ident(spec.table)} m`, rowMode: "array" });
  return rows.map((r) => r[0]);
}

/**
 * What a resync compares against, held small: the ids of the users and organizations (each listed
 * page reads the rows it needs, see readLocalRows) and the memberships whole (their
 * (organization, user) pairs are needed as they are listed, and they are small rows).
 */
export async function readLocalIndex(pool: pg.Pool | pg.PoolClient, mirror = DEFAULT_MIRROR): Promise<LocalIndex> {
  const [users, organizations, memberships] = await readEach<[string[], string[], Local<MembershipRow>[]]>(
    pool,
    () => readLocalIds(pool, mirror.users),
    () => readLocalIds(pool, mirror.organizations),
    () => readMemberships(pool, mirror, createInterner()),
  );
  return { users, organizations, memberships };
}

/** The newest Clerk updated_at of any user the mirror holds: where the watcher's users tick resumes. */
export async function readUsersWatermark(pool: pg.Pool | pg.PoolClient, mirror = DEFAULT_MIRROR): Promise<number | null> {
  const { rows } = await pool.query<{ ms: number | null }>(`SELECT ${ms(`max("clerkUpdatedAt")`)} AS ms FROM ${ident(mirror.users.table)}`);
  return rows[0]?.ms ?? null;
}

/** Reads the Clerk-mirrored tables as rows comparable with the mapped Clerk snapshot, with their provenance. */
export async function readLocalState(pool: pg.Pool | pg.PoolClient, mirror = DEFAULT_MIRROR): Promise<LocalState> {
  const intern = createInterner();
  const [users, organizations, memberships] = await readEach<[Local<UserRow>[], Local<OrganizationRow>[], Local<MembershipRow>[]]>(
    pool,
    () => readHeldRows(pool, mirror, mirror.users, intern),
    () => readHeldRows(pool, mirror, mirror.organizations, intern),
    () => readMemberships(pool, mirror, intern),
  );
  return { users, organizations, memberships };
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

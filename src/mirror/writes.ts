// The mirror's set-based statements, each run once per batch (rows as one JSON text,
// `… FROM jsonb_to_recordset($1)`, or id arrays), never once per row. They set exactly the
// registry's columns (columns.ts), never an app-added one, on whatever tables and columns the
// Mirror names. Callers go through write-unit.ts.
import type pg from "pg";
import { clerkCopyMayReplaceSql, type SyncSource } from "./freshness.ts";
import type { EntityRow, UserRow } from "./rows.ts";
import { columnOf, DEFAULT_MIRROR, ident, ownedColumns, PROVENANCE, type ColumnSpec, type EntityName, type EntitySpec, type Mirror, type SqlType } from "./columns.ts";
import { SafetyError } from "../errors.ts";
import { idList, inIdList } from "./id-list.ts";

/**
 * Which Clerk write path writes (recorded per row), and which tombstones stop it: those written at
 * or after `tombstonesSince` (epoch ms). A webhook passes 0: a deleted record never comes back
 * through one. A resync passes the time its listing started: a record deleted while it paged stays
 * deleted, one deleted before and listed again is Clerk's again (see clearTombstones).
 */
export interface WriteOrigin {
  source: SyncSource;
  tombstonesSince: number;
}

export const RESYNC_ORIGIN: WriteOrigin = { source: "resync", tombstonesSince: 0 };
export const WEBHOOK_ORIGIN: WriteOrigin = { source: "webhook", tombstonesSince: 0 };

// The batch travels as one JSON text (JSON.stringify is native; pg's array literals are built
// element by element in JS). jsonb values are JSON texts themselves: declared text, cast back.
// Timestamps travel as Clerk's epoch ms and are converted by PostgreSQL, not as ISO texts built
// with a Date per value. to_timestamp's float8 result can be a few µs off; the columns'
// timestamptz(3) rounding makes the stored value exact. A column that refers to a parent's app key
// travels as the parent's Clerk id.
const wireType = (c: ColumnSpec) => (c.refers ? "text" : c.type === "jsonb" ? "text" : c.type === "timestamptz" ? "float8" : c.type);

/** The batch's record fields: the rows' own, under their field names; `updatedAt` is always there, the copy's provenance. */
function batchFields(columns: readonly ColumnSpec[]): { field: string; type: string }[] {
  const byField = new Map(columns.map((c) => [c.field, { field: c.field, type: wireType(c) }]));
  if (!byField.has("updatedAt")) byField.set("updatedAt", { field: "updatedAt", type: "float8" });
  return [...byField.values()];
}

/** The SQL value of column `c` of the batch's row `r` (`types`: the table's column types). */
function valueOf(mirror: Mirror, c: ColumnSpec, types: ReadonlyMap<string, string>): string {
  const v = `r.${ident(c.field)}`;
  if (c.refers) return parentKeyOf(mirror[c.refers], v);
  // A picked value travels as JSON: a JSON column takes it as it is, any other its scalar, cast.
  if (c.pick) return /^jsonb?$/.test(types.get(c.column) ?? "") ? `${v}::jsonb` : `(${v}::jsonb #>> '{}')::${types.get(c.column) ?? "text"}`;
  return typeValue(v, c.type);
}

const typeValue = (v: string, type: SqlType) => (type === "jsonb" ? `${v}::jsonb` : type === "timestamptz" ? `to_timestamp(${v} / 1000)` : v);

/** The key a child's column holds for the parent whose Clerk id is `clerkId`. */
function parentKeyOf(parent: EntitySpec<never>, clerkId: string): string {
  if (!parent.primaryKey) return clerkId;
  return `(SELECT p.${ident(parent.primaryKey.column)} FROM ${ident(parent.table)} p WHERE p.${ident(parent.id.column)} = ${clerkId})`;
}

/** An SQL condition: the parent with Clerk id `clerkId` has a row. */
const parentExists = (parent: EntitySpec<never>, clerkId: string) => `EXISTS (SELECT 1 FROM ${ident(parent.table)} p WHERE p.${ident(parent.id.column)} = ${clerkId})`;

/** A new row's app-owned key, where the database has no default for it. */
function generatedKey(generate: "cuid" | "uuid"): string {
  // A cuid's shape (c + 24 base-36 characters) from the database's own randomness.
  if (generate === "cuid") return `'c' || substr(md5(gen_random_uuid()::text), 1, 24)`;
  return "gen_random_uuid()";
}

/**
 * Writes the registry's columns of `rows`, plus Clerk's updated_at as `clerkUpdatedAt`, the write
 * path as `syncSource` and `syncedAt`, in one statement that sends the batch once: an
 * `UPDATE … FROM jsonb_to_recordset(…)` of the rows the table has, and an `INSERT … ON CONFLICT
 * (<Clerk id>) DO UPDATE` of the others. Both see the statement's one snapshot, so they take
 * disjoint rows; ON CONFLICT covers a row another session inserts meanwhile. Inserting only what
 * the table lacks keeps an app key's sequence for new rows (an INSERT that ends in its ON CONFLICT
 * still draws a value). The freshness guard (clerkCopyMayReplace) keeps a newer copy from Clerk
 * from being replaced by an older one, and replaces anything else: a local edit is repaired.
 */
export async function upsertRows<E extends EntityName>(
  client: pg.PoolClient,
  mirror: Mirror,
  entity: E,
  rows: readonly EntityRow[E][],
  origin: WriteOrigin,
  facts: TableFactsCache = new Map(),
): Promise<number> {
  if (!rows.length) return 0;
  const spec = mirror[entity] as EntitySpec<EntityRow[E]>;
  const table = ident(spec.table);
  const key = ident(spec.id.column);
  const columns: readonly ColumnSpec[] = [spec.id, ...spec.compared];
  const fields = batchFields(columns);
  // The rows as they are, each cut to these fields by JSON.stringify itself: no record per row.
  // (The list applies at every depth; row values hold no objects, only texts and lists.)
  const batch = JSON.stringify(rows, fields.map((f) => f.field));
  const known = facts.get(spec.table) ?? (await tableFacts(client, spec));
  facts.set(spec.table, known);
  const recordset = `jsonb_to_recordset($1::jsonb) AS r(${fields.map((f) => `${ident(f.field)} ${f.type}`).join(", ")})`;
  const id = `r.${ident(spec.id.field)}`;
  // A membership whose user or organization is gone (deleted by a webhook while the listing ran,
  // so its own upsert was stopped by the tombstone) is left out instead of failing the foreign key
  // and the whole batch: Clerk deleted it with its parent, and the next run confirms that.
  const parentsExist = entity !== "memberships" ? [] : (["users", "organizations"] as const).map((parent) => {
    const c = columnOf(mirror.memberships, parent === "users" ? "userId" : "organizationId")!;
    return parentExists(mirror[parent] as EntitySpec<never>, `r.${ident(c.field)}`);
  });
  const writable = [`NOT EXISTS (SELECT 1 FROM "ClerkTombstone" t WHERE t.id = ${id} AND t."deletedAt" >= to_timestamp($3::float8 / 1000))`, ...parentsExist].join(" AND ");
  // The provenance columns' values, in the batch's terms; cast to the column's own type so the
  // guard compares what the column would hold (to_timestamp is a few µs off a millisecond).
  const provenance = [`to_timestamp(r."updatedAt" / 1000)::${known.clerkUpdatedAtType}`, "$2::text", "now()"];
  // Every column a write sets but the Clerk id it is matched on.
  const assigned = columns.filter((c) => c !== spec.id);
  // PostgreSQL checks NOT NULL on the proposed row before ON CONFLICT: an app key the database
  // does not generate is generated here; another required app column has no value for a new row.
  const generated = spec.primaryKey?.generate && known.required.includes(spec.primaryKey.column) ? spec.primaryKey : undefined;
  const set = [...assigned, ...PROVENANCE].map((c) => ident(c.column));
  const { rows: counts } = await client.query<{ written: number }>(
    `WITH r AS (SELECT * FROM ${recordset}),
     updated AS (
       UPDATE ${table} AS x SET ${[...assigned.map((c) => `${ident(c.column)} = ${valueOf(mirror, c, known.types)}`), ...PROVENANCE.map((c, i) => `${ident(c.column)} = ${provenance[i]}`)].join(", ")}
         FROM r
        WHERE x.${key} = ${id} AND ${writable} AND ${clerkCopyMayReplaceSql("x", provenance[0]!)}
        RETURNING 1),
     inserted AS (
       INSERT INTO ${table} (${[...columns.map((c) => ident(c.column)), ...(generated ? [ident(generated.column)] : []), ...PROVENANCE.map((c) => ident(c.column))].join(", ")})
       SELECT ${[...columns.map((c) => valueOf(mirror, c, known.types)), ...(generated ? [generatedKey(generated.generate!)] : []), ...provenance].join(", ")}
         FROM r
        WHERE NOT EXISTS (SELECT 1 FROM ${table} x WHERE x.${key} = ${id}) AND ${writable}
       ON CONFLICT (${key}) DO UPDATE SET ${set.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}
        WHERE ${clerkCopyMayReplaceSql(spec.table)}
       RETURNING 1)
     SELECT ((SELECT count(*) FROM updated) + (SELECT count(*) FROM inserted))::int AS written`,
    [batch, origin.source, origin.tombstonesSince],
  ).catch((err: unknown) => {
    throw notNullRefusal(err, spec, rows, known.required) ?? err;
  });
  return counts[0]!.written;
}

/** A NOT NULL violation as what to change: an app column with no value for a new row, or a mapped field some Clerk record lacks. */
function notNullRefusal<R>(err: unknown, spec: EntitySpec<R>, rows: readonly R[], required: readonly string[]): SafetyError | undefined {
  const column = (err as { code?: string; column?: string }).column;
  if ((err as { code?: string }).code !== "23502" || !column) return undefined;
  if (required.includes(column)) {
    return new SafetyError(
      `A Clerk record has no row in "${spec.table}" yet, and "${spec.table}"."${column}" is NOT NULL with no default, so there is no value to write. ` +
        `Give the column a default or make it optional in schema.prisma and migrate, or let the app create the row first.`,
      { cause: err },
    );
  }
  const mapped = spec.compared.find((c) => c.column === column);
  if (!mapped) return undefined;
  const lacking = rows.find((r) => (r as Record<string, unknown>)[mapped.field] === null) as { id?: string } | undefined;
  return new SafetyError(
    `${lacking?.id ? `Clerk's ${lacking.id}` : "A Clerk record"} has no ${mapped.field}, and "${spec.table}"."${column}", where the mapping puts it, is NOT NULL. ` +
      `Make the column optional in schema.prisma (String?) and migrate, or take ${mapped.field} out of the mapping.`,
    { cause: err },
  );
}

/**
 * What a write must know of the table as it is now: the app's columns that are NOT NULL with no
 * default, and each column's type (what a picked value and `clerkUpdatedAt` are cast to).
 */
interface TableFacts {
  required: string[];
  types: Map<string, string>;
  clerkUpdatedAtType: string;
}

/**
 * TableFacts by table, read from the catalog once per write, or once per run by a caller that
 * writes many batches (the resync's early writer): the schema may change between runs, not within one.
 */
export type TableFactsCache = Map<string, TableFacts>;

async function tableFacts<R>(client: pg.PoolClient, spec: EntitySpec<R>): Promise<TableFacts> {
  const { rows } = await client.query<{ name: string; type: string; required: boolean }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '' AND NOT (a.attname = ANY($2::text[])) AS required
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [ident(spec.table), ownedColumns(spec)],
  );
  const types = new Map(rows.map((x) => [x.name, x.type]));
  return { required: rows.filter((x) => x.required).map((x) => x.name), types, clerkUpdatedAtType: types.get("clerkUpdatedAt") ?? "timestamptz(3)" };
}

export function upsertUsers(client: pg.PoolClient, rows: readonly UserRow[], origin: WriteOrigin = RESYNC_ORIGIN, mirror = DEFAULT_MIRROR): Promise<number> {
  return upsertRows(client, mirror, "users", rows, origin);
}

/**
 * Gives memberships the new ids Clerk lists for the same (organization, user) pair. The row's
 * provenance belonged to the old Clerk record, so it is cleared: the upsert that follows writes
 * the new record's copy whatever its timestamps.
 */
export async function writeMembershipRekeys(client: pg.PoolClient, pairs: readonly { previousId: string; id: string }[], mirror = DEFAULT_MIRROR): Promise<number> {
  if (!pairs.length) return 0;
  const key = ident(mirror.memberships.id.column);
  const res = await client.query(
    `UPDATE ${ident(mirror.memberships.table)} AS m SET ${key} = k.id, "clerkUpdatedAt" = NULL FROM unnest($1::text[], $2::text[]) AS k(previous, id) WHERE m.${key} = k.previous`,
    [pairs.map((p) => p.previousId), pairs.map((p) => p.id)],
  );
  return res.rowCount ?? 0;
}

/** Deletes rows Clerk no longer has and leaves a tombstone for each, so a late copy cannot bring one back. */
export async function deleteByIds(client: pg.PoolClient, spec: EntitySpec<never>, ids: readonly string[], source: SyncSource = "resync"): Promise<number> {
  if (!ids.length) return 0;
  await client.query(
    `INSERT INTO "ClerkTombstone" (id, entity, "deletedAt", source) SELECT unnest($1::text[]), $2, now(), $3
     ON CONFLICT (id) DO UPDATE SET "deletedAt" = EXCLUDED."deletedAt", source = EXCLUDED.source`,
    [ids, spec.table, source],
  );
  const res = await client.query(`DELETE FROM ${ident(spec.table)} WHERE ${ident(spec.id.column)} = ANY($1::text[])`, [ids]);
  return res.rowCount ?? 0;
}

/**
 * Rows a tombstone from `since` on says are deleted. An upsert that ran while another transaction
 * deleted the same row re-inserts it (ON CONFLICT finds the row gone): this statement, run after
 * the upserts in the same transaction, sees that delete's tombstone and undoes the re-insert.
 */
export async function removeTombstoned(client: pg.PoolClient, spec: EntitySpec<never>, since: number, onlyIds?: readonly string[]): Promise<number> {
  const key = `r.${ident(spec.id.column)}`;
  const res = await client.query(
    `DELETE FROM ${ident(spec.table)} AS r USING "ClerkTombstone" AS t
      WHERE t.id = ${key} AND t."deletedAt" >= to_timestamp($1::float8 / 1000) AND ($2::jsonb IS NULL OR ${inIdList(key, "$2")})`,
    [since, onlyIds ? idList(onlyIds) : null],
  );
  return res.rowCount ?? 0;
}

/** Clerk lists these ids again in a listing that started after their tombstones: they are its records again. */
export async function clearTombstones(client: pg.PoolClient, ids: readonly string[], before: number): Promise<number> {
  if (!ids.length) return 0;
  const res = await client.query(`DELETE FROM "ClerkTombstone" WHERE ${inIdList("id", "$1")} AND "deletedAt" < to_timestamp($2::float8 / 1000)`, [idList(ids), before]);
  return res.rowCount ?? 0;
}

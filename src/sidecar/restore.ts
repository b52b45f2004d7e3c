// Restore: table by table, parents first, in one transaction. Every row keeps every column, ids
// included: a row is matched on its primary key, else on a unique key (a row the seed made under
// another id is then updated to the kept one, its children following through ON UPDATE CASCADE),
// and inserted otherwise. A table without a key is a multiset: each distinct row comes back as many
// times as the file holds it. Sequences then move past the restored maximum and past where the
// backup left them (never back). Only adds and updates: a second run changes nothing. Rows whose
// owner is gone stay in the file and are reported.
import type pg from "pg";
import { ENTITIES } from "../mirror/columns.ts";
import { inTransaction } from "../db/transaction.ts";
import { SidecarFormatError } from "../errors.ts";
import type { CatalogColumn, CatalogTable } from "./catalog.ts";
import type { Json, Sidecar, SidecarRow, SidecarTable } from "./format.ts";
import type { TableRole } from "./classify.ts";
import { matchKey, type LocalTables } from "./local-tables.ts";
import { canonicalJson } from "../mirror/json-text.ts";
import { castExpr, keyObject, quote, readExpr, recordsetColumn } from "./row-codec.ts";
import { advanceSavedSequences, advanceSequences, type SequenceState } from "./sequences.ts";

export interface TableRestore {
  table: string;
  role: SidecarTable["role"];
  /** Rows in the file. */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows not restored, with why (owner gone from Clerk, seeded row missing, parent not restored). */
  skipped: { reason: string; rows: number }[];
  /** Into a freshly seeded database: rows the seed made under an id the backup holds for another row, moved to new ids (both kept). */
  displaced?: number;
  /** The same, where nothing but the id tells the two rows apart (no other unique key): the backed-up row took the id. */
  replacedSeeded?: number;
}

export interface RestoreReport {
  tables: TableRestore[];
  /** Clerk ids the file names that the database does not have (gone from Clerk?): their rows stay in the file. */
  missingOwners: Record<string, string[]>;
  /** Columns or tables in the file the schema no longer has. */
  notInSchema: string[];
  /** What each table must now hold, for `verifyRestore`. */
  expected: Map<string, ExpectedRows>;
}

export interface ExpectedRows {
  role: SidecarTable["role"];
  /** Compared columns: every restored column, ids included. */
  columns: readonly CatalogColumn[];
  /** Canonical form of each row, as `normalizeRow` makes it (a multiset: duplicates repeat). */
  rows: string[];
  /** Mirrored tables: the Clerk ids restored, and the column holding them. */
  ids?: string[];
  idColumn?: string;
}

export interface RestoreOptions {
  /**
   * "app-columns" (db:restore, bootstrap): Clerk's tables get only the app's columns, on rows the
   * database has. "whole" (a reset's new database, before its resync): their rows are inserted whole.
   */
  mirrored?: "app-columns" | "whole";
  /** Restore only these tables of the file (a reset restores Clerk's tables before the resync, the rest after). */
  only?: (table: string, role: SidecarTable["role"]) => boolean;
  /** The database was just built and seeded (a reset's new database): the rows already there are the seed's. */
  intoSeeded?: boolean;
  /**
   * A reset's new database, which nothing else uses yet: each sequence is set to exactly where the
   * backup left it (or past the largest value held), even below where it stands, since values the
   * seed drew there went to rows the restore then re-keyed. A restore elsewhere only moves forward.
   */
  intoNewDatabase?: boolean;
}

/** Scalars compare as text (an integer id may arrive as 5 or "5"), JSON canonically. */
const norm = (v: unknown): unknown => (v === null || v === undefined ? null : typeof v === "object" ? JSON.parse(canonicalJson(v)) : String(v));
export const normalizeRow = (row: Record<string, unknown>, columns: readonly CatalogColumn[]) => JSON.stringify(columns.map((c) => norm(row[c.name])));

/**
 * Everything that would make the restore fail half-way, checked before anything is written: rows
 * that collide on the key the restore matches on, and text PostgreSQL cannot store (a NUL character).
 */
export function checkSidecar(sidecar: Sidecar, tables: LocalTables, source: string): void {
  for (const [name, entry] of Object.entries(sidecar.tables)) {
    entry.rows.forEach((row, i) => {
      for (const [col, v] of Object.entries(row)) {
        if (hasNul(v)) {
          throw new SidecarFormatError(
            `${source}: ${name} row ${i + 1} (${describeRow(row)}), column ${col}, holds a NUL character (\\u0000), which PostgreSQL cannot store in text or JSON. ` +
              `Remove it from the file (or edit that value) and restore again; nothing was restored`,
          );
        }
      }
    });
    const t = tables.catalog.get(name);
    const columns = Object.keys(entry.columns);
    const primary = t && matchKey(t, columns);
    if (!t || !primary) continue;
    // Every key a row is matched on, the natural ones first: they name the rows best.
    const keys = [...t.uniqueKeys.filter((k) => k.every((c) => columns.includes(c))), ...(t.uniqueKeys.includes(primary) ? [] : [primary])];
    for (const key of keys) {
      const seen = new Set<string>();
      for (const row of entry.rows) {
        // PostgreSQL lets rows with a NULL in a unique key repeat.
        if (key.some((c) => row[c] === null || row[c] === undefined)) continue;
        const k = canonicalJson(key.map((c) => row[c] ?? null));
        if (seen.has(k)) {
          const shown = key.map((c) => `${c}=${JSON.stringify(row[c] ?? null)}`).join(", ");
          throw new SidecarFormatError(`${source} has two ${name} rows with ${shown}; fix the file (keep one); nothing was restored`);
        }
        seen.add(k);
      }
    }
  }
}

function hasNul(v: Json): boolean {
  if (typeof v === "string") return v.includes("\u0000");
  if (Array.isArray(v)) return v.some(hasNul);
  if (v && typeof v === "object") return Object.entries(v).some(([k, x]) => k.includes("\u0000") || hasNul(x));
  return false;
}

const describeRow = (row: SidecarRow) => {
  const id = ["id", "organizationId", "userId"].find((c) => row[c] !== undefined && row[c] !== null);
  return id ? `${id} ${JSON.stringify(row[id])}` : "no id";
};

export const emptyRestoreReport = (): RestoreReport => ({ tables: [], missingOwners: {}, notInSchema: [], expected: new Map() });

/** Folds a second restore's report into the first (a reset restores in two steps). */
export function mergeRestoreReports(a: RestoreReport, b: RestoreReport): RestoreReport {
  const missingOwners = { ...a.missingOwners };
  for (const [table, ids] of Object.entries(b.missingOwners)) missingOwners[table] = [...new Set([...(missingOwners[table] ?? []), ...ids])];
  return { tables: [...a.tables, ...b.tables], missingOwners, notInSchema: [...new Set([...a.notInSchema, ...b.notInSchema])], expected: new Map([...a.expected, ...b.expected]) };
}

export async function restoreSidecar(pool: pg.Pool, sidecar: Sidecar, tables: LocalTables, options: RestoreOptions = {}): Promise<RestoreReport> {
  const report = emptyRestoreReport();
  const { catalog, classification } = tables;
  const rank = (name: string) => {
    const role = classification.roles.get(name);
    if (role?.role === "mirrored") return options.mirrored === "whole" ? -3 + ENTITIES.indexOf(role.entity) : Number.MAX_SAFE_INTEGER;
    const i = classification.order.indexOf(name);
    return i === -1 ? Number.MAX_SAFE_INTEGER - 1 : i;
  };
  const names = Object.keys(sidecar.tables)
    .filter((name) => !options.only || options.only(name, sidecar.tables[name]!.role))
    .sort((a, b) => rank(a) - rank(b));
  await inTransaction(pool, async (client) => {
    const restored: CatalogTable[] = [];
    for (const name of names) {
      const entry = sidecar.tables[name]!;
      const t = catalog.get(name);
      if (!t) {
        report.notInSchema.push(name);
        report.tables.push({ table: name, role: entry.role, rows: entry.rows.length, created: 0, updated: 0, unchanged: 0, skipped: [{ reason: `table ${name} is not in the schema`, rows: entry.rows.length }] });
        continue;
      }
      report.tables.push(await restoreTable(client, tables, t, entry, report, options, sidecar.sequences?.[name]));
      restored.push(t);
    }
    // Last, so that a refused restore leaves every sequence as it was (setval is not transactional).
    // Tables the file has no rows for (empty, disposable) get their saved sequences too.
    const saved = sidecar.sequences ?? {};
    const exact = options.intoNewDatabase ?? false;
    for (const t of restored) await advanceSequences(client, t, saved[t.name], exact);
    await advanceSavedSequences(client, catalog, Object.fromEntries(Object.entries(saved).filter(([name]) => !sidecar.tables[name])), exact);
  });
  return report;
}

/** The columns a table's rows are restored with: all the file has, or for Clerk's tables in a plain restore the app's own. */
function restoredColumns(tables: LocalTables, t: CatalogTable, entry: SidecarTable, report: RestoreReport, options: RestoreOptions): CatalogColumn[] {
  const role = mirroredRole(tables, t.name);
  const appOnly = entry.role === "mirrored" && options.mirrored !== "whole" && role;
  return Object.keys(entry.columns).flatMap((n) => {
    const c = t.columns.find((x) => x.name === n);
    if (!c) report.notInSchema.push(`${t.name}.${n}`);
    if (!c || (appOnly && n !== role.clerkId && !role.appColumns.includes(n))) return [];
    return [c];
  });
}

async function restoreTable(
  client: pg.PoolClient,
  tables: LocalTables,
  t: CatalogTable,
  entry: SidecarTable,
  report: RestoreReport,
  options: RestoreOptions,
  sequences: Readonly<Record<string, SequenceState>> = {},
): Promise<TableRestore> {
  const result: TableRestore = { table: t.name, role: entry.role, rows: entry.rows.length, created: 0, updated: 0, unchanged: 0, skipped: [] };
  const columns = restoredColumns(tables, t, entry, report, options);
  const skip = new Map<string, number>();
  const skipRow = (reason: string) => skip.set(reason, (skip.get(reason) ?? 0) + 1);
  const existingOnly = entry.role === "mirrored" && options.mirrored !== "whole";
  const mirrored = entry.role === "mirrored" ? mirroredRole(tables, t.name) : undefined;
  const clerkId = mirrored?.clerkId ?? "id";

  // 1. References to seeded rows: their unique key → the id the seed gave them. ("id" in older files: the raw id.)
  let rows: SidecarRow[] = [];
  const keyLookups = new Map<string, Map<string, Json>>();
  for (const ref of Object.values(entry.references)) {
    const target = tables.catalog.get(ref.table);
    if (ref.by !== "id" && target?.serialId && !keyLookups.has(ref.table)) keyLookups.set(ref.table, await readKeyLookup(client, target, ref.by));
  }
  for (const row of entry.rows) {
    const mapped: SidecarRow = { ...row };
    let reason: string | undefined;
    for (const [col, ref] of Object.entries(entry.references)) {
      const v = row[col];
      if (v === null || v === undefined || ref.by === "id") continue;
      const found = keyLookups.get(ref.table)?.get(canonicalJson(v));
      if (found === undefined) {
        reason = `${ref.table} ${JSON.stringify(v)} does not exist (run \`pnpm db:seed\`, then restore again)`;
        break;
      }
      mapped[col] = found;
    }
    if (reason) skipRow(reason);
    else rows.push(mapped);
  }

  // 2. Rows whose user, organization or membership (or any other parent outside this table) is missing.
  const fks = t.foreignKeys.filter((f) => f.columns.length === 1 && f.table !== t.name && !(entry.references[f.columns[0]!]?.by instanceof Array) && columns.some((c) => c.name === f.columns[0]));
  if (existingOnly) fks.push({ columns: [clerkId], table: t.name, references: [clerkId] });
  for (const f of fks) {
    const col = f.columns[0]!;
    const wanted = [...new Set(rows.map((r) => r[col]).filter((v) => v !== null && v !== undefined).map(String))];
    if (!wanted.length) continue;
    const { rows: present } = await client.query<{ v: string }>(`SELECT ${quote(f.references[0]!)}::text AS v FROM ${quote(f.table)} WHERE ${quote(f.references[0]!)}::text = ANY($1::text[])`, [wanted]);
    const have = new Set(present.map((p) => p.v));
    const missing = wanted.filter((v) => !have.has(v));
    if (!missing.length) continue;
    const ofClerk = mirroredRole(tables, f.table) !== undefined;
    if (ofClerk) (report.missingOwners[f.table] ??= []).push(...missing.filter((m) => !report.missingOwners[f.table]!.includes(m)));
    const gone = new Set(missing);
    rows = rows.filter((r) => {
      if (r[col] === null || r[col] === undefined || !gone.has(String(r[col]))) return true;
      skipRow(ofClerk ? `${f.table} ${String(r[col])} is not in the database (gone from Clerk?)` : `${f.table} ${String(r[col])} does not exist`);
      return false;
    });
  }

  // 3. Match existing rows: primary key, then each unique key; none → a multiset of whole rows.
  // A Clerk table's row is its Clerk record's: matched on the Clerk id alone, its app key restored.
  const names = columns.map((c) => c.name);
  let existing = await readExisting(client, t, columns);
  if (options.intoSeeded && !mirrored && t.serialId && names.includes(t.serialId)) {
    const room = await makeRoomForKeptIds(client, t, columns, rows, existing, sequences[t.serialId]);
    Object.assign(result, room);
    if (room.displaced) existing = await readExisting(client, t, columns);
  }
  const pk = matchKey(t, names);
  const keys = mirrored && names.includes(clerkId) ? [[clerkId]] : pk ? [pk, ...t.uniqueKeys.filter((k) => k !== pk && k.every((c) => names.includes(c)))] : [];
  const inserts: SidecarRow[] = [];
  const updates: { row: SidecarRow; current: SidecarRow }[] = [];
  const restored: SidecarRow[] = [];
  if (keys.length) {
    const indexes = keys.map((k) => new Map(existing.map((r) => [rowKey(r, k), r])));
    // A NULL matches a NULL here (a seeded default has a NULL organizationId), so each existing row is matched once at most.
    const used = new Set<SidecarRow>();
    for (const row of rows) {
      const current = keys.map((k, i) => indexes[i]!.get(rowKey(row, k))).find((c) => c && !used.has(c));
      if (current) used.add(current);
      if (!current && existingOnly) {
        skipRow(`${t.name} ${String(row[clerkId])} is not in the database`);
        continue;
      }
      restored.push(row);
      if (!current) inserts.push(row);
      else if (normalizeRow(row, columns) === normalizeRow(current, columns)) result.unchanged += 1;
      else updates.push({ row, current });
    }
  } else {
    const have = new Map<string, number>();
    for (const r of existing) have.set(normalizeRow(r, columns), (have.get(normalizeRow(r, columns)) ?? 0) + 1);
    for (const row of rows) {
      restored.push(row);
      const k = normalizeRow(row, columns);
      const n = have.get(k) ?? 0;
      if (n > 0) {
        have.set(k, n - 1);
        result.unchanged += 1;
      } else inserts.push(row);
    }
  }

  // 4. Set-based writes: one INSERT and one UPDATE for the table.
  if (inserts.length) {
    await client.query(
      `INSERT INTO ${quote(t.name)} (${columns.map((c) => quote(c.name)).join(", ")}) OVERRIDING SYSTEM VALUE SELECT ${columns.map((c) => castExpr(c, "x")).join(", ")}
         FROM jsonb_to_recordset($1::jsonb) AS x(${columns.map(recordsetColumn).join(", ")})`,
      [JSON.stringify(inserts)],
    );
    result.created = inserts.length;
  }
  if (updates.length) await updateRows(client, t, columns, updates);
  result.updated = updates.length;
  result.skipped = [...skip].map(([reason, n]) => ({ reason, rows: n }));
  // Tombstones and the ledger are the resync's and the receiver's to change; Clerk's fields are the resync's.
  if (entry.role === "tool") return result;
  const verified = mirrored ? columns.filter((c) => c.name === clerkId || mirrored.appColumns.includes(c.name)) : columns;
  report.expected.set(t.name, {
    role: entry.role,
    columns: verified,
    rows: restored.map((r) => normalizeRow(r, verified)),
    ...(entry.role === "mirrored" ? { ids: restored.map((r) => String(r[clerkId])), idColumn: clerkId } : {}),
  });
  return result;
}

/** The table's role if it holds Clerk's records under the app's mirror. */
function mirroredRole(tables: LocalTables, table: string): Extract<TableRole, { role: "mirrored" }> | undefined {
  const role = tables.classification.roles.get(table);
  return role?.role === "mirrored" ? role : undefined;
}

/**
 * A row the seed made under an id the backup holds for another row (a default added after the
 * app's rows took the low ids) moves past every id in use, so both rows stay; its children follow
 * through ON UPDATE CASCADE. "Another row" is known by a unique key besides the id (the seed's row
 * matches no backed-up row on it); with none, nothing but the id tells the two apart and the
 * backed-up row takes the id, as in a plain restore (counted, so the report says so). A row the
 * seed made that matches no backed-up row, under an id the live database handed out (`saved`: a
 * deleted row's), moves too: the seed runs on fresh sequences, and that id may live on in a URL.
 */
async function makeRoomForKeptIds(
  client: pg.PoolClient,
  t: CatalogTable,
  columns: readonly CatalogColumn[],
  rows: readonly SidecarRow[],
  existing: readonly SidecarRow[],
  saved: SequenceState | undefined,
): Promise<{ displaced: number; replacedSeeded: number }> {
  const id = t.serialId!;
  const names = columns.map((c) => c.name);
  const natural = t.uniqueKeys.filter((k) => !(k.length === 1 && k[0] === id) && k.every((c) => names.includes(c)));
  const keptById = new Map(rows.map((r) => [String(r[id]), r]));
  const keptKeys = natural.map((k) => new Set(rows.map((r) => rowKey(r, k))));
  const moving: string[] = [];
  let replacedSeeded = 0;
  // The largest id the live database handed out (a sequence not yet drawn from holds its next value).
  const handedOut = saved ? BigInt(saved.last) - (saved.called ? 0n : 1n) : undefined;
  for (const seeded of existing) {
    const kept = keptById.get(String(seeded[id]));
    if (!kept) {
      const reused = handedOut !== undefined && BigInt(String(seeded[id])) <= handedOut;
      if (reused && natural.every((k, i) => !keptKeys[i]!.has(rowKey(seeded, k)))) moving.push(String(seeded[id]));
      continue;
    }
    if (normalizeRow(kept, columns) === normalizeRow(seeded, columns)) continue;
    // As in the matching below, a NULL in a key matches a NULL (a default has no organization).
    if (!natural.length) replacedSeeded += 1;
    else if (natural.every((k, i) => !keptKeys[i]!.has(rowKey(seeded, k)))) moving.push(String(seeded[id]));
  }
  if (moving.length) {
    // To the sequence's next values, once it is past the kept ids, the table's own and every id the
    // live database handed out.
    let top = 0n;
    for (const r of rows) if (r[id] !== null && r[id] !== undefined && BigInt(String(r[id])) > top) top = BigInt(String(r[id]));
    const table = { name: t.name, sequenced: [id] };
    await advanceSequences(client, table, { [id]: { last: String(top), called: true } });
    if (saved) await advanceSequences(client, table, { [id]: saved });
    await client.query(`UPDATE ${quote(t.name)} SET ${quote(id)} = nextval(pg_get_serial_sequence($2, $3)) WHERE ${quote(id)} = ANY($1::bigint[])`, [moving, quote(t.name), id]);
  }
  return { displaced: moving.length, replacedSeeded };
}

/** Each row updated where its match stands, the key columns included (so a seeded row takes the kept id). */
async function updateRows(client: pg.PoolClient, t: CatalogTable, columns: readonly CatalogColumn[], updates: readonly { row: SidecarRow; current: SidecarRow }[]): Promise<void> {
  const by = (t.primaryKey.length ? t.primaryKey : columns.map((c) => c.name)).map((n) => t.columns.find((c) => c.name === n)!);
  const old = (i: number) => `clerk_resync_match_${i}`;
  const payload = updates.map(({ row, current }) => ({ ...row, ...Object.fromEntries(by.map((c, i) => [old(i), current[c.name] ?? null])) }));
  const matchColumns = by.map((c, i) => ({ ...c, name: old(i) }));
  await client.query(
    `UPDATE ${quote(t.name)} AS t SET ${columns.map((c) => `${quote(c.name)} = ${castExpr(c, "x")}`).join(", ")}
       FROM jsonb_to_recordset($1::jsonb) AS x(${[...columns, ...matchColumns].map(recordsetColumn).join(", ")})
      WHERE ${by.map((c, i) => `t.${quote(c.name)} = ${castExpr({ ...c, name: old(i) }, "x")}`).join(" AND ")}`,
    [JSON.stringify(payload)],
  );
}

/** Identity of a row for matching on a key. */
function rowKey(row: Record<string, unknown>, key: readonly string[]): string {
  return JSON.stringify(key.map((c) => norm(row[c])));
}

async function readExisting(client: pg.PoolClient, t: CatalogTable, columns: readonly CatalogColumn[]): Promise<SidecarRow[]> {
  const all = [...new Map([...columns, ...t.primaryKey.map((n) => t.columns.find((c) => c.name === n)!)].map((c) => [c.name, c])).values()];
  if (!all.length) return [];
  const { rows } = await client.query<SidecarRow>(`SELECT ${all.map((c) => `${readExpr(c, "t0")} AS ${quote(c.name)}`).join(", ")} FROM ${quote(t.name)} t0`);
  return rows;
}

/** A seeded table's ids by the unique key the file stores instead (in the form the backup wrote it). */
async function readKeyLookup(client: pg.PoolClient, target: CatalogTable, by: readonly string[]): Promise<Map<string, Json>> {
  const columns = by.map((k) => target.columns.find((c) => c.name === k));
  if (columns.some((c) => !c)) return new Map();
  const { rows } = await client.query<{ id: Json; key: Json }>(
    `SELECT r.${quote(target.serialId!)} AS id, ${keyObject(columns as CatalogColumn[], "r")} AS key FROM ${quote(target.name)} r`,
  );
  return new Map(rows.map((r) => [canonicalJson(r.key), r.id]));
}

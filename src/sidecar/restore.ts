// Restore: table by table, parents first, in one transaction. Rows are matched on the primary key
// (string ids, kept as they are) or a unique key; serial ids are new after a reset, so every row
// gets one and an old → new map re-links the rows that point at it. Only adds and updates: a
// second run changes nothing. Rows whose owner is gone stay in the file and are reported.
import type pg from "pg";
import { isMirroredTable } from "../db/mirrored-columns.ts";
import { inTransaction } from "../db/transaction.ts";
import { SidecarFormatError } from "../errors.ts";
import type { CatalogColumn, CatalogTable } from "./catalog.ts";
import type { Json, Sidecar, SidecarRow, SidecarTable } from "./format.ts";
import { matchKey, type LocalTables } from "./local-tables.ts";
import { canonical, castExpr, keyObject, quote, readExpr, recordsetColumn } from "./row-codec.ts";

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
  /** Compared columns: all but a serial id. */
  columns: readonly CatalogColumn[];
  /** Canonical form of each row, as `normalizeRow` makes it. */
  rows: string[];
  /** Mirrored tables: the Clerk ids restored. */
  ids?: string[];
}

type IdMap = Map<string, Map<string, Json>>;

/** Scalars compare as text (an integer id may arrive as 5 or "5"), JSON canonically. */
const norm = (v: unknown): unknown => (v === null || v === undefined ? null : typeof v === "object" ? JSON.parse(canonical(v)) : String(v));
export const normalizeRow = (row: Record<string, unknown>, columns: readonly CatalogColumn[]) => JSON.stringify(columns.map((c) => norm(row[c.name])));

/** Refuses a file whose rows collide on the key restore matches on, before anything is touched. */
export function checkSidecarKeys(sidecar: Sidecar, tables: LocalTables, source: string): void {
  for (const [name, entry] of Object.entries(sidecar.tables)) {
    const t = tables.catalog.get(name);
    const key = t && matchKey(t, Object.keys(entry.columns));
    if (!key) continue;
    const seen = new Set<string>();
    for (const row of entry.rows) {
      const k = canonical(key.map((c) => row[c] ?? null));
      if (seen.has(k)) {
        const shown = key.map((c) => `${c}=${JSON.stringify(row[c] ?? null)}`).join(", ");
        throw new SidecarFormatError(`${source} has two ${name} rows with ${shown}; fix the file (keep one); nothing was restored`);
      }
      seen.add(k);
    }
  }
}

export async function restoreSidecar(pool: pg.Pool, sidecar: Sidecar, tables: LocalTables): Promise<RestoreReport> {
  const report: RestoreReport = { tables: [], missingOwners: {}, notInSchema: [], expected: new Map() };
  const { catalog, classification } = tables;
  const rank = (name: string) => (isMirroredTable(name) ? Number.MAX_SAFE_INTEGER : classification.order.indexOf(name));
  const names = Object.keys(sidecar.tables).sort((a, b) => rank(a) - rank(b));
  await inTransaction(pool, async (client) => {
    const ids: IdMap = new Map();
    for (const name of names) {
      const entry = sidecar.tables[name]!;
      const t = catalog.get(name);
      if (!t) {
        report.notInSchema.push(name);
        report.tables.push({ table: name, role: entry.role, rows: entry.rows.length, created: 0, updated: 0, unchanged: 0, skipped: [{ reason: `table ${name} is not in the schema`, rows: entry.rows.length }] });
        continue;
      }
      report.tables.push(await restoreTable(client, tables, t, entry, ids, report));
    }
  });
  return report;
}

async function restoreTable(client: pg.PoolClient, tables: LocalTables, t: CatalogTable, entry: SidecarTable, ids: IdMap, report: RestoreReport): Promise<TableRestore> {
  const result: TableRestore = { table: t.name, role: entry.role, rows: entry.rows.length, created: 0, updated: 0, unchanged: 0, skipped: [] };
  const columns = Object.keys(entry.columns).flatMap((n) => {
    const c = t.columns.find((x) => x.name === n);
    if (!c) report.notInSchema.push(`${t.name}.${n}`);
    return c ? [c] : [];
  });
  const skip = new Map<string, number>();
  const skipRow = (reason: string) => skip.set(reason, (skip.get(reason) ?? 0) + 1);

  // 1. References to rows restored before (old serial id → new) or seeded (unique key → id).
  let rows: SidecarRow[] = [];
  const keyLookups = new Map<string, Map<string, Json>>();
  for (const ref of Object.values(entry.references)) {
    const target = tables.catalog.get(ref.table);
    if (ref.by !== "id" && target?.serialId && !keyLookups.has(ref.table)) keyLookups.set(ref.table, await readKeyLookup(client, target, ref.by));
  }
  const selfRefs = Object.entries(entry.references).filter(([, r]) => r.by === "id" && r.table === t.name).map(([c]) => c);
  for (const row of entry.rows) {
    const mapped: SidecarRow = { ...row };
    let reason: string | undefined;
    for (const [col, ref] of Object.entries(entry.references)) {
      const v = row[col];
      if (v === null || v === undefined || selfRefs.includes(col)) continue;
      const found = ref.by === "id" ? ids.get(ref.table)?.get(String(v)) : keyLookups.get(ref.table)?.get(canonical(v));
      if (found === undefined) {
        reason = ref.by === "id" ? `its ${ref.table} row was not restored` : `${ref.table} ${JSON.stringify(v)} does not exist (run \`pnpm db:seed\`, then restore again)`;
        break;
      }
      mapped[col] = found;
    }
    if (reason) skipRow(reason);
    else rows.push(mapped);
  }

  // 2. Rows whose user, organization or membership (or any other raw foreign key) is missing.
  const fks = t.foreignKeys.filter((f) => f.columns.length === 1 && !(f.columns[0]! in entry.references) && columns.some((c) => c.name === f.columns[0]));
  if (entry.role === "mirrored") fks.push({ columns: ["id"], table: t.name, references: ["id"] });
  for (const f of fks) {
    const col = f.columns[0]!;
    const wanted = [...new Set(rows.map((r) => r[col]).filter((v) => v !== null && v !== undefined).map(String))];
    if (!wanted.length) continue;
    const { rows: present } = await client.query<{ v: string }>(`SELECT ${quote(f.references[0]!)}::text AS v FROM ${quote(f.table)} WHERE ${quote(f.references[0]!)}::text = ANY($1::text[])`, [wanted]);
    const have = new Set(present.map((p) => p.v));
    const missing = wanted.filter((v) => !have.has(v));
    if (!missing.length) continue;
    if (isMirroredTable(f.table)) (report.missingOwners[f.table] ??= []).push(...missing.filter((m) => !report.missingOwners[f.table]!.includes(m)));
    const gone = new Set(missing);
    rows = rows.filter((r) => {
      if (r[col] === null || r[col] === undefined || !gone.has(String(r[col]))) return true;
      skipRow(isMirroredTable(f.table) ? `${f.table} ${String(r[col])} is not in the database (gone from Clerk?)` : `${f.table} ${String(r[col])} does not exist`);
      return false;
    });
  }

  // 3. Match existing rows; give every row its id (existing, kept, or a fresh serial id).
  const key = matchKey(t, columns.map((c) => c.name));
  const compared = columns.filter((c) => c.name !== t.serialId);
  // Without a key a row is matched on its content; a link to its own table is only known after matching.
  const identity = key ?? compared.filter((c) => !selfRefs.includes(c.name));
  const existing = await readExisting(client, t, columns, identity);
  const tableIds = new Map<string, Json>();
  ids.set(t.name, tableIds);
  const inserts: SidecarRow[] = [];
  const matched: { row: SidecarRow; current: SidecarRow }[] = [];
  for (const row of rows) {
    const current = existing.get(rowKey(row, identity));
    if (current) matched.push({ row, current });
    else if (entry.role === "mirrored") skipRow(`${t.name} ${String(row.id)} is not in the database`);
    else inserts.push(row);
  }
  const fresh = t.serialId ? await nextIds(client, t, inserts.length) : [];
  inserts.forEach((row, i) => {
    if (t.serialId) tableIds.set(String(row[t.serialId] ?? `new:${i}`), fresh[i]!);
  });
  for (const { row, current } of matched) if (t.serialId) tableIds.set(String(row[t.serialId]), current[t.serialId]!);
  const withId = (row: SidecarRow, id: Json | undefined): SidecarRow => {
    const out: SidecarRow = t.serialId ? { ...row, [t.serialId]: id ?? null } : { ...row };
    for (const col of selfRefs) if (row[col] !== null && row[col] !== undefined) out[col] = tableIds.get(String(row[col])) ?? null;
    return out;
  };
  const toInsert = inserts.map((row, i) => withId(row, fresh[i]));
  const toUpdate: SidecarRow[] = [];
  for (const { row, current } of matched) {
    const desired = withId(row, t.serialId ? current[t.serialId] : undefined);
    if (normalizeRow(desired, compared) === normalizeRow(current, compared)) result.unchanged += 1;
    else toUpdate.push(desired);
  }

  // 4. Set-based writes: one INSERT and one UPDATE for the table.
  const writeColumns = t.serialId && !columns.some((c) => c.name === t.serialId) ? [t.columns.find((c) => c.name === t.serialId)!, ...columns] : columns;
  if (toInsert.length) {
    const list = writeColumns.map((c) => quote(c.name)).join(", ");
    await client.query(
      `INSERT INTO ${quote(t.name)} (${list}) OVERRIDING SYSTEM VALUE SELECT ${writeColumns.map((c) => castExpr(c, "x")).join(", ")}
         FROM jsonb_to_recordset($1::jsonb) AS x(${writeColumns.map(recordsetColumn).join(", ")})`,
      [JSON.stringify(toInsert)],
    );
    result.created = toInsert.length;
  }
  if (toUpdate.length) {
    const by = t.serialId ? [t.serialId] : t.primaryKey.length ? t.primaryKey : key ?? [];
    const byColumns = by.map((n) => t.columns.find((c) => c.name === n)!);
    const set = compared.filter((c) => !by.includes(c.name));
    if (set.length && byColumns.length) {
      const rsColumns = [...new Map([...byColumns, ...set].map((c) => [c.name, c])).values()];
      await client.query(
        `UPDATE ${quote(t.name)} AS t SET ${set.map((c) => `${quote(c.name)} = ${castExpr(c, "x")}`).join(", ")}
           FROM jsonb_to_recordset($1::jsonb) AS x(${rsColumns.map(recordsetColumn).join(", ")})
          WHERE ${byColumns.map((c) => `t.${quote(c.name)} = ${castExpr(c, "x")}`).join(" AND ")}`,
        [JSON.stringify(toUpdate)],
      );
    }
    result.updated = toUpdate.length;
  }
  result.skipped = [...skip].map(([reason, n]) => ({ reason, rows: n }));
  const restored = [...toInsert, ...matched.map(({ row, current }) => withId(row, t.serialId ? current[t.serialId] : undefined))];
  report.expected.set(t.name, {
    role: entry.role,
    columns: compared,
    rows: restored.map((r) => normalizeRow(r, compared)),
    ids: entry.role === "mirrored" ? restored.map((r) => String(r.id)) : undefined,
  });
  return result;
}

/** Identity of a row for matching: its key columns, or its content when the table has no key. */
function rowKey(row: Record<string, unknown>, identity: readonly string[] | readonly CatalogColumn[]): string {
  return JSON.stringify(identity.map((c) => norm(row[typeof c === "string" ? c : c.name])));
}

async function readExisting(client: pg.PoolClient, t: CatalogTable, columns: readonly CatalogColumn[], identity: readonly string[] | readonly CatalogColumn[]): Promise<Map<string, SidecarRow>> {
  const all = t.serialId && !columns.some((c) => c.name === t.serialId) ? [t.columns.find((c) => c.name === t.serialId)!, ...columns] : columns;
  const { rows } = await client.query<SidecarRow>(`SELECT ${all.map((c) => `${readExpr(c, "t0")} AS ${quote(c.name)}`).join(", ")} FROM ${quote(t.name)} t0`);
  return new Map(rows.map((r) => [rowKey(r, identity), r]));
}

/** A seeded table's ids by the unique key the file stores instead (in the form the backup wrote it). */
async function readKeyLookup(client: pg.PoolClient, target: CatalogTable, by: readonly string[]): Promise<Map<string, Json>> {
  const columns = by.map((k) => target.columns.find((c) => c.name === k));
  if (columns.some((c) => !c)) return new Map();
  const { rows } = await client.query<{ id: Json; key: Json }>(
    `SELECT r.${quote(target.serialId!)} AS id, ${keyObject(columns as CatalogColumn[], "r")} AS key FROM ${quote(target.name)} r`,
  );
  return new Map(rows.map((r) => [canonical(r.key), r.id]));
}

async function nextIds(client: pg.PoolClient, t: CatalogTable, n: number): Promise<Json[]> {
  if (!n) return [];
  const { rows } = await client.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence($1, $2))::text AS id FROM generate_series(1, $3)`, [quote(t.name), t.serialId, n]);
  return rows.map((r) => (/^(smallint|integer)$/.test(t.columns.find((c) => c.name === t.serialId)!.type) ? Number(r.id) : r.id));
}

// What the database's own catalog says about its tables: columns, keys and foreign keys. The
// sidecar follows this, not a list of models in our code, so tables an app adds are covered
// without a line of code.
import type pg from "pg";

export interface CatalogColumn {
  readonly name: string;
  /** SQL type as `format_type` spells it (`text`, `timestamp(3) with time zone`, `integer[]`). */
  readonly type: string;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
}

export interface ForeignKey {
  readonly columns: readonly string[];
  readonly table: string;
  readonly references: readonly string[];
}

export interface CatalogTable {
  readonly name: string;
  /** Generated columns are left out: they cannot be written. */
  readonly columns: readonly CatalogColumn[];
  readonly primaryKey: readonly string[];
  /** The primary key is one integer column filled from a sequence (Prisma's autoincrement). */
  readonly serialId: string | null;
  /** Every column filled from a sequence (serial or identity): its sequence never moves back across a restore (sequences.ts). */
  readonly sequenced: readonly string[];
  /** Unique constraints and non-partial unique indexes, primary key excluded. */
  readonly uniqueKeys: readonly (readonly string[])[];
  readonly foreignKeys: readonly ForeignKey[];
}

export type Catalog = ReadonlyMap<string, CatalogTable>;

const SCHEMA = "current_schema()";

/** Reads every ordinary table of the current schema. Only reads; one query at a time (a client runs one). */
export async function readCatalog(pool: pg.Pool | pg.PoolClient): Promise<Catalog> {
  const columns = await pool.query<{ table: string; name: string; type: string; nullable: boolean; has_default: boolean; serial: boolean }>(
      `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
              (a.atthasdef OR a.attidentity <> '') AS has_default,
              (a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false)) AS serial
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = ${SCHEMA}
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        ORDER BY c.relname, a.attnum`,
  );
  const keys = await pool.query<{ table: string; primary: boolean; columns: string[] }>(
      `SELECT c.relname AS table, i.indisprimary AS primary,
              array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = ${SCHEMA}
        WHERE i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
        ORDER BY c.relname, i.indisprimary DESC, (SELECT relname FROM pg_class WHERE oid = i.indexrelid)`,
  );
  const fks = await pool.query<{ table: string; target: string; columns: string[]; references: string[] }>(
      `SELECT c.relname AS table, t.relname AS target,
              array(SELECT a.attname FROM unnest(f.conkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
              array(SELECT a.attname FROM unnest(f.confkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS references
         FROM pg_constraint f
         JOIN pg_class c ON c.oid = f.conrelid
         JOIN pg_class t ON t.oid = f.confrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = ${SCHEMA}
        WHERE f.contype = 'f'
        ORDER BY c.relname, f.conname`,
  );
  const tables = new Map<string, { columns: CatalogColumn[]; serial: Set<string>; primaryKey: string[]; uniqueKeys: string[][]; foreignKeys: ForeignKey[] }>();
  const entry = (name: string) => {
    let t = tables.get(name);
    if (!t) tables.set(name, (t = { columns: [], serial: new Set(), primaryKey: [], uniqueKeys: [], foreignKeys: [] }));
    return t;
  };
  for (const c of columns.rows) {
    const t = entry(c.table);
    t.columns.push({ name: c.name, type: c.type, nullable: c.nullable, hasDefault: c.has_default });
    if (c.serial) t.serial.add(c.name);
  }
  for (const k of keys.rows) {
    if (!tables.has(k.table)) continue;
    if (k.primary) entry(k.table).primaryKey = k.columns;
    else entry(k.table).uniqueKeys.push(k.columns);
  }
  for (const f of fks.rows) if (tables.has(f.table)) entry(f.table).foreignKeys.push({ columns: f.columns, table: f.target, references: f.references });

  const catalog = new Map<string, CatalogTable>();
  for (const [name, t] of tables) {
    const pk = t.primaryKey;
    const only = pk.length === 1 ? t.columns.find((c) => c.name === pk[0]) : undefined;
    const serialId = only && t.serial.has(only.name) && /^(smallint|integer|bigint)$/.test(only.type) ? only.name : null;
    catalog.set(name, { name, columns: t.columns, primaryKey: pk, serialId, sequenced: [...t.serial], uniqueKeys: t.uniqueKeys, foreignKeys: t.foreignKeys });
  }
  return catalog;
}

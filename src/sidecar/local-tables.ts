// The database's tables as the sidecar sees them: catalog plus classification, read once per command.
import type pg from "pg";
import { readCatalog, type Catalog, type CatalogTable } from "./catalog.ts";
import type { TableClass } from "../define-config.ts";
import { classifyTables, type Classification } from "./classify.ts";
import type { Mirror } from "../mirror/columns.ts";
import { quote } from "./row-codec.ts";

export interface LocalTables {
  readonly catalog: Catalog;
  readonly classification: Classification;
}

/** What the app's clerk-resync config says about its tables (a `Config` or an `AppConfig` is one). */
export interface TableSettings {
  /** The app's classification of tables no user or organization owns. */
  readonly tables: Readonly<Record<string, TableClass>>;
  /** Where Clerk's records live (default: today's schema). */
  readonly mirror?: Mirror;
}

export async function readLocalTables(pool: pg.Pool | pg.PoolClient, settings: TableSettings): Promise<LocalTables> {
  const catalog = await readCatalog(pool);
  return { catalog, classification: classifyTables(catalog, settings.tables, settings.mirror) };
}

/**
 * The columns a restore matches existing rows on: the primary key (ids are kept, serial ones
 * included), else the first unique key the file has every column of; none → a multiset of whole rows.
 */
export function matchKey(t: CatalogTable, columns: readonly string[]): readonly string[] | null {
  const has = (k: readonly string[]) => k.length > 0 && k.every((c) => columns.includes(c));
  if (has(t.primaryKey)) return t.primaryKey;
  return t.uniqueKeys.find(has) ?? null;
}

/** Unclassified tables that have rows: a reset would lose them, so it stops before touching anything. */
export async function findUnclassifiedWithRows(pool: pg.Pool | pg.PoolClient, tables: LocalTables): Promise<{ table: string; rows: number }[]> {
  const names = [...tables.classification.roles].filter(([, r]) => r.role === "unclassified").map(([n]) => n);
  if (!names.length) return [];
  const { rows } = await pool.query<{ table: string; rows: string }>(names.map((n, i) => `SELECT $${i + 1}::text AS table, count(*) AS rows FROM ${quote(n)}`).join(" UNION ALL "), names);
  return rows.filter((r) => Number(r.rows) > 0).map((r) => ({ table: r.table, rows: Number(r.rows) }));
}

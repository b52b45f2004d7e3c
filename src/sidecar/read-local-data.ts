// Backup: every backed-up table's rows in their exact sidecar form, read with one query per table.
import type pg from "pg";
import { ENTITIES } from "../mirror/columns.ts";
import type { CatalogTable } from "./catalog.ts";
import { CARRIED_TOOL_TABLES, type Reference } from "./classify.ts";
import { emptySidecar, type Sidecar, type SidecarRow, type SidecarTable } from "./format.ts";
import type { LocalTables } from "./local-tables.ts";
import { ownedWhere, type OwnerScope } from "./owned-rows.ts";
import { keyObject, quote, readExpr } from "./row-codec.ts";
import { readSequences } from "./sequences.ts";
import { withoutClerkKeys } from "./share.ts";

export interface ReadOptions {
  reason: Sidecar["reason"];
  clerkInstanceId: string | null;
  /** "all" (a backup) or the owners a resync is about to delete (the pruned sidecar). */
  scope?: OwnerScope;
  /**
   * Every row of every backed-up table (the seed's defaults, seeded tables, Clerk's tables whole):
   * a backup or a reset. Without it (a file for committing): the owners' rows, kept tables and the
   * app's columns of Clerk's tables — never Clerk's fields or what the seed makes.
   */
  whole?: boolean;
  /** A reset's backup: also the tombstones and the webhook delivery ledger, carried into the new database. */
  toolTables?: boolean;
  /** Who the file is for (host:port/name or the embedded folder); the latest backup is kept per database. */
  database?: string;
  now?: Date;
}

export async function readLocalData(pool: pg.Pool | pg.PoolClient, tables: LocalTables, options: ReadOptions): Promise<Sidecar> {
  const scope = options.scope ?? "all";
  const sidecar = emptySidecar(options.reason, options.clerkInstanceId, options.now, options.database);
  const { catalog, classification } = tables;
  for (const name of classification.order) {
    const role = classification.roles.get(name)!.role as "owned" | "keep" | "seeded";
    const whole = Boolean(options.whole) && scope === "all";
    if ((role === "seeded" && !whole) || (role === "keep" && scope !== "all")) continue;
    const t = catalog.get(name)!;
    const params: unknown[] = [];
    const where = whole || role !== "owned" ? "true" : ownedWhere(catalog, classification, name, "t0", scope, params);
    sidecar.tables[name] = await readTable(pool, tables, t, role, t.columns.map((c) => c.name), where, params);
  }
  for (const entity of ENTITIES) {
    const name = classification.mirror[entity].table;
    const role = classification.roles.get(name);
    const t = catalog.get(name);
    if (role?.role !== "mirrored" || !t) continue;
    // Whole rows: a reset puts them back before the resync, so the app's NOT NULL columns and
    // Clerk's fields arrive in one insert. A plain restore only writes the app's columns.
    if (options.whole && scope === "all") {
      sidecar.tables[name] = await readTable(pool, tables, t, "mirrored", t.columns.map((c) => c.name), "true", []);
    } else if (role.appColumns.length) {
      const params: unknown[] = scope === "all" ? [] : [scope[entity]];
      const where = scope === "all" ? "true" : `t0.${quote(role.clerkId)} = ANY($1::text[])`;
      sidecar.tables[name] = await readTable(pool, tables, t, "mirrored", [role.clerkId, ...role.appColumns], where, params);
    }
  }
  for (const name of options.toolTables ? CARRIED_TOOL_TABLES : []) {
    const t = catalog.get(name);
    if (t) sidecar.tables[name] = await readTable(pool, tables, t, "tool", t.columns.map((c) => c.name), "true", []);
  }
  // Every table's, not only the backed-up ones': an empty or disposable table's ids are in URLs too.
  if (options.whole && scope === "all") sidecar.sequences = await readSequences(pool, catalog);
  return withoutClerkKeys(sidecar);
}

async function readTable(pool: pg.Pool | pg.PoolClient, tables: LocalTables, t: CatalogTable, role: SidecarTable["role"], columnNames: string[], where: string, params: unknown[]): Promise<SidecarTable> {
  const refs: ReadonlyMap<string, Reference> = tables.classification.references.get(t.name) ?? new Map();
  const columns = columnNames.map((n) => t.columns.find((c) => c.name === n)!);
  const select = columns.map((c) => {
    const ref = refs.get(c.name);
    if (!ref) return `${readExpr(c, "t0")} AS ${quote(c.name)}`;
    // A seeded target's id changes with every seed: write its unique key instead.
    const target = tables.catalog.get(ref.table)!;
    const key = keyObject(ref.by.map((k) => target.columns.find((x) => x.name === k)!), "r");
    return `(SELECT ${key} FROM ${quote(ref.table)} r WHERE r.${quote(target.serialId!)} = t0.${quote(c.name)}) AS ${quote(c.name)}`;
  });
  const order = (t.primaryKey.length ? t.primaryKey : columnNames.slice(0, 1)).map((c) => `t0.${quote(c)}`).join(", ");
  const { rows } = await pool.query<SidecarRow>(`SELECT ${select.join(", ")} FROM ${quote(t.name)} t0 WHERE ${where} ORDER BY ${order}`, params);
  return {
    role,
    columns: Object.fromEntries(columns.map((c) => [c.name, c.type])),
    references: Object.fromEntries([...refs].filter(([col]) => columnNames.includes(col)).map(([col, r]) => [col, { table: r.table, by: [...r.by] }])),
    rows,
  };
}

// After a restore, every backed-up table is read back and compared with what the file says it
// must hold: all columns but serial ids (those are new after a reset; references to them are
// compared through the old → new map), as a multiset of rows with a digest per table.
import { createHash } from "node:crypto";
import type pg from "pg";
import type { LocalTables } from "./local-tables.ts";
import { ownedWhere } from "./owned-rows.ts";
import { normalizeRow, type RestoreReport } from "./restore.ts";
import { quote, readExpr } from "./row-codec.ts";

export interface TableVerification {
  table: string;
  role: string;
  /** Rows the file says the table must hold (those restored; skipped ones are reported by the restore). */
  expected: number;
  actual: number;
  identical: boolean;
  /** sha256 of the table's rows in canonical form, as found. */
  digest: string;
}

export async function verifyRestore(pool: pg.Pool, tables: LocalTables, restore: RestoreReport): Promise<TableVerification[]> {
  const out: TableVerification[] = [];
  for (const [name, expected] of restore.expected) {
    const params: unknown[] = [];
    const where =
      expected.role === "owned" ? ownedWhere(tables.catalog, tables.classification, name, "t0", "all", params)
      : expected.role === "mirrored" ? `t0.id = ANY(${(params.push(expected.ids ?? []), "$1")}::text[])`
      : "true";
    const select = expected.columns.map((c) => `${readExpr(c, "t0")} AS ${quote(c.name)}`).join(", ") || "1";
    const { rows } = await pool.query(`SELECT ${select} FROM ${quote(name)} t0 WHERE ${where}`, params);
    const actual = rows.map((r) => normalizeRow(r, expected.columns)).sort();
    const wanted = [...expected.rows].sort();
    out.push({
      table: name,
      role: expected.role,
      expected: wanted.length,
      actual: actual.length,
      identical: actual.length === wanted.length && actual.every((r, i) => r === wanted[i]),
      digest: createHash("sha256").update(actual.join("\n")).digest("hex").slice(0, 16),
    });
  }
  return out;
}

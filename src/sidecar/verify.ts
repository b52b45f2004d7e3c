// After a restore, every backed-up table is read back and compared with what the file says it
// must hold: every restored column, ids included, as a multiset of rows with a digest per table.
// Each row of the file must be there exactly; rows the seed or the resync added beside them are
// counted, not refused. Clerk's tables are compared on the rows Clerk still has.
import { createHash } from "node:crypto";
import type pg from "pg";
import type { LocalTables } from "./local-tables.ts";
import { normalizeRow, type RestoreReport } from "./restore.ts";
import { quote, readExpr } from "./row-codec.ts";

export interface TableVerification {
  table: string;
  role: string;
  /** Rows the file says the table must hold (those restored; skipped ones are reported by the restore). */
  expected: number;
  /** Of those, the rows found exactly. */
  actual: number;
  /** Rows found beside them (a seeded default the backup did not have). */
  extra: number;
  identical: boolean;
  /** sha256 of the table's rows in canonical form, as found. */
  digest: string;
}

export async function verifyRestore(pool: pg.Pool | pg.PoolClient, _tables: LocalTables, restore: RestoreReport): Promise<TableVerification[]> {
  const out: TableVerification[] = [];
  for (const [name, expected] of restore.expected) {
    const params: unknown[] = [];
    const idColumn = expected.idColumn ?? "id";
    const where = expected.role === "mirrored" ? `t0.${quote(idColumn)} = ANY(${(params.push(expected.ids ?? []), "$1")}::text[])` : "true";
    const select = expected.columns.map((c) => `${readExpr(c, "t0")} AS ${quote(c.name)}`).join(", ") || "1";
    const { rows } = await pool.query(`SELECT ${select} FROM ${quote(name)} t0 WHERE ${where}`, params);
    const found = rows.map((r) => normalizeRow(r, expected.columns)).sort();
    let wanted = [...expected.rows];
    if (expected.role === "mirrored") {
      const present = new Set(rows.map((r) => String(r[idColumn])));
      const idAt = expected.columns.findIndex((c) => c.name === idColumn);
      wanted = wanted.filter((w) => present.has(String((JSON.parse(w) as unknown[])[idAt])));
    }
    const left = new Map<string, number>();
    for (const f of found) left.set(f, (left.get(f) ?? 0) + 1);
    let matched = 0;
    for (const w of wanted) {
      const n = left.get(w) ?? 0;
      if (n > 0) {
        left.set(w, n - 1);
        matched += 1;
      }
    }
    out.push({
      table: name,
      role: expected.role,
      expected: wanted.length,
      actual: matched,
      extra: found.length - matched,
      identical: matched === wanted.length,
      digest: createHash("sha256").update(found.join("\n")).digest("hex").slice(0, 16),
    });
  }
  return out;
}

// The human form of a restore and of its verification.
import { formatTable } from "../output.ts";
import type { RestoreReport } from "./restore.ts";
import type { TableVerification } from "./verify.ts";

/** The `--json` form of a restore: everything but the rows kept for verification. */
export function restoreSummary(r: RestoreReport) {
  return { tables: r.tables, missingOwners: r.missingOwners, notInSchema: r.notInSchema };
}

export function formatRestore(file: string, r: RestoreReport): string {
  const rows = r.tables.map((t) => [t.table, t.rows, t.created, t.updated, t.unchanged, t.skipped.reduce((n, s) => n + s.rows, 0)] as const);
  const lines = [`Restored from ${file}`, "", formatTable(["table", "in file", "created", "updated", "unchanged", "skipped"], rows.map((x) => [...x]))];
  for (const t of r.tables) for (const s of t.skipped) lines.push(`Not restored — ${s.rows} ${t.table} rows: ${s.reason}; they stay in the file`);
  for (const t of r.tables) {
    if (t.displaced) lines.push(`Kept beside — ${t.displaced} ${t.table} rows the seed made under ids the backup holds for other rows took new ids`);
    if (t.replacedSeeded) {
      lines.push(`Replaced — ${t.replacedSeeded} ${t.table} rows the seed made under ids the backup holds: nothing but the id tells them apart, so the backed-up rows took the ids. A unique key on ${t.table} (besides the id) lets a reset keep both.`);
    }
  }
  if (r.notInSchema.length) lines.push(`Not in the schema any more (left in the file): ${r.notInSchema.join(", ")}`);
  return lines.join("\n");
}

export function formatVerification(tables: readonly TableVerification[]): string {
  const rows = tables.map((t) => [t.table, t.expected, t.actual, t.extra, t.identical ? "identical" : "DIFFERENT", t.digest] as const);
  return formatTable(["verified table", "expected", "found", "beside them", "content", "digest"], rows.map((x) => [...x]));
}

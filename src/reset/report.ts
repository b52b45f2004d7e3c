import { formatTable } from "../output.ts";
import { formatRestore, formatVerification, restoreSummary } from "../sidecar/report.ts";
import { formatReport } from "../sync/report.ts";
import type { ResetReport } from "./run-reset.ts";

/** The reset report as `--json` prints it (the restore summarized). */
export function resetResult(r: ResetReport): unknown {
  return { ...r, restore: restoreSummary(r.restore) };
}

/** The reset report as text: the resync, the restore, Clerk rows before vs after, each table verified, the verdict. */
export function formatResetReport(r: ResetReport): string {
  const rows = (["users", "organizations", "memberships"] as const).map((k) => [k, r.before[k], r.after[k]] as [string, number, number]);
  const different = r.tables.filter((t) => !t.identical).map((t) => `${t.table} (expected ${t.expected} rows, found ${t.actual})`);
  return [
    ...(r.resumed ? [`Finished the db:reset that was interrupted (from ${r.backup}).`] : []),
    "",
    formatReport(r.resync, { pruned: true }),
    "",
    formatRestore(r.backup, r.restore),
    "",
    formatTable(["Clerk rows", "before", "after"], rows),
    "",
    formatVerification(r.tables),
    "",
    r.verified
      ? `Reset complete in ${(r.durationMs / 1000).toFixed(1)} s; every backed-up table verified (${r.tables.length} tables). Sidecar: ${r.backup}`
      : `Reset finished, but restored tables differ from the backup: ${different.join(", ")}. The backup is ${r.backup}; the reset journal is kept until this is resolved.`,
  ].join("\n");
}

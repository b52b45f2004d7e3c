import { formatTable } from "../output.ts";
import { formatRestore, formatVerification, restoreSummary } from "../sidecar/report.ts";
import { formatReport } from "../sync/report.ts";
import type { ResetReport } from "./run-reset.ts";
import type { UndoResult } from "./target.ts";

/** The reset report as `--json` prints it (the restore summarized). */
export function resetResult(r: ResetReport): unknown {
  return { ...r, restore: restoreSummary(r.restore) };
}

/** The reset report as text: the resync, the restore, Clerk rows before vs after, each table verified, the verdict. */
export function formatResetReport(r: ResetReport): string {
  const rows = (["users", "organizations", "memberships"] as const).map((k) => [k, r.before[k], r.after[k]] as [string, number, number]);
  return [
    "",
    formatReport(r.resync, { pruned: true }),
    "",
    formatRestore(r.backup, r.restore),
    "",
    formatTable(["Clerk rows", "before", "after"], rows),
    "",
    formatVerification(r.tables),
    "",
    `Reset of ${r.database} complete in ${(r.durationMs / 1000).toFixed(1)} s: the new database was built beside the live one, every backed-up table verified (${r.tables.length} tables), then switched in. Sidecar: ${r.backup}`,
    r.closedSessions ? `Closed ${r.closedSessions} database session${r.closedSessions === 1 ? "" : "s"} other processes held on the old data; they reconnect to the new data.` : "Sessions other processes hold reconnect to the new data.",
    r.previous ? `The previous database is kept as ${r.previous} until the next reset: \`pnpm db:reset --undo\` switches back to it.` : "The previous database was dropped (--no-keep).",
  ].join("\n");
}

export function formatUndo(u: UndoResult): string {
  return [
    `Switched back to ${u.restored}${u.resetAt ? ` (the reset of ${u.resetAt} is undone; its database was dropped)` : ""}.`,
    u.closedSessions ? `Closed ${u.closedSessions} database session${u.closedSessions === 1 ? "" : "s"} other processes held; they reconnect.` : "",
    "There is nothing further to undo until the next reset.",
  ].filter(Boolean).join("\n");
}

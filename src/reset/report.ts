import { formatTable } from "../output.ts";
import { formatRestore } from "../sidecar/restore-report.ts";
import { formatReport } from "../sync/report.ts";
import type { ResetReport } from "./run-reset.ts";

/** A reset report as text: the resync, the restore, row counts before vs after, the verdict. */
export function formatResetReport(r: ResetReport): string {
  const rows = (["users", "organizations", "memberships", "customPrompts", "customResources", "services"] as const).map((k) => [k, r.before[k], r.after[k]] as [string, number, number]);
  return [
    "",
    formatReport(r.resync, { pruned: true }),
    "",
    formatRestore(r.backup, r.restore),
    "",
    formatTable(["rows", "before", "after"], rows),
    "",
    r.verified ? `Reset complete in ${(r.durationMs / 1000).toFixed(1)} s; org-local data verified. Sidecar: ${r.backup}` : `Reset finished, but org-local row counts do not add up: check, then \`pnpm db:restore ${r.backup}\``,
  ].join("\n");
}

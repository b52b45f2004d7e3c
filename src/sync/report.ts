import { formatTable } from "../output.ts";
import type { EntityPlan, SyncPlan } from "./plan.ts";

export interface EntityCounts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

/** The `--json` shape of clerk:resync (documented in the README). */
export interface ResyncReport {
  dryRun: boolean;
  users: EntityCounts;
  organizations: EntityCounts;
  memberships: EntityCounts;
  invalid: { id: string; reason: string }[];
  requests: number;
  durationMs: number;
  retries: number;
  rowsWritten: number;
  instanceId: string;
  /** Sidecar holding org-local data of pruned organizations, if any was written. */
  prunedSidecar: string | null;
  /** Where the time went: fetch+map+plan (overlapped), confirming deletes, applying. */
  phasesMs: { fetch: number; confirm: number; apply: number };
}

export function countsOf(p: EntityPlan<unknown>): EntityCounts {
  return { created: p.create.length, updated: p.update.length, deleted: p.stale.length, unchanged: p.unchanged };
}

export function buildReport(plan: SyncPlan, extra: Omit<ResyncReport, "users" | "organizations" | "memberships" | "invalid">): ResyncReport {
  return {
    dryRun: extra.dryRun,
    users: countsOf(plan.users),
    organizations: countsOf(plan.organizations),
    memberships: countsOf(plan.memberships),
    invalid: plan.invalid.map((i) => ({ id: i.id, reason: `${i.entity}: ${i.reason}` })),
    requests: extra.requests,
    durationMs: extra.durationMs,
    retries: extra.retries,
    rowsWritten: extra.rowsWritten,
    instanceId: extra.instanceId,
    prunedSidecar: extra.prunedSidecar,
    phasesMs: extra.phasesMs,
  };
}

/** The human form: one table, then what was odd. */
export function formatReport(r: ResyncReport, options: { pruned: boolean }): string {
  const rows = (["users", "organizations", "memberships"] as const).map((e) => [e, r[e].created, r[e].updated, r[e].deleted, r[e].unchanged] as const);
  const title = r.dryRun ? `Plan (dry run, nothing written) against Clerk instance ${r.instanceId}` : `Resynced from Clerk instance ${r.instanceId}`;
  const lines = [title, "", formatTable(["", "create", "update", options.pruned ? "delete" : "stale (kept)", "unchanged"], rows.map((x) => [...x]))];
  lines.push("", `${r.requests} Clerk requests (${r.retries} retried), ${r.rowsWritten} rows written, ${(r.durationMs / 1000).toFixed(1)} s`);
  if (r.prunedSidecar) lines.push(`Local data of deleted users, organizations and memberships saved to ${r.prunedSidecar}`);
  if (r.invalid.length) {
    lines.push("", `${r.invalid.length} Clerk records could not be synced:`);
    for (const i of r.invalid.slice(0, 20)) lines.push(`  ${i.id}: ${i.reason}`);
    if (r.invalid.length > 20) lines.push(`  … and ${r.invalid.length - 20} more (--json lists all)`);
  }
  return lines.join("\n");
}

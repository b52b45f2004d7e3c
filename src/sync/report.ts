import { formatTable } from "../output.ts";
import { CHANGE_ENTITIES, type Change, type ChangeEntity } from "./changes.ts";
import { hasDrift, type EntityPlan, type SyncPlan } from "./plan.ts";
import { TIME_FIELDS } from "../mirror/columns.ts";
import type { MirrorDescription } from "../mirror/describe.ts";

export interface EntityCounts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** Rows whose newer copy from Clerk was kept (not drift). */
  kept: number;
}

/**
 * The `--json` shape of clerk:resync (documented in the README, schema in
 * schema/resync-report.schema.json); the CLI appends `changes` (see reportJsonChunks).
 */
export interface ResyncReport {
  dryRun: boolean;
  /** The database differed from Clerk when the run started (what `--check` exits 2 on). */
  drift: boolean;
  users: EntityCounts;
  organizations: EntityCounts;
  memberships: EntityCounts;
  invalid: { id: string; reason: string }[];
  /** Why a real run would refuse this plan (a dry run or check reports it instead of stopping). */
  refusal: string | null;
  requests: number;
  durationMs: number;
  retries: number;
  rowsWritten: number;
  instanceId: string;
  /** Sidecar holding org-local data of pruned organizations, if any was written. */
  prunedSidecar: string | null;
  /** Where the time went: fetch+map+plan (overlapped), confirming deletes, applying. */
  phasesMs: { fetch: number; confirm: number; apply: number };
  /** Where Clerk's records go in this database: the app's mapping, or clerk-resync's own tables. */
  mapping: MirrorDescription;
}

export function countsOf(p: EntityPlan<unknown>): EntityCounts {
  return { created: p.create.length + p.written.length, updated: p.update.length, deleted: p.stale.length, unchanged: p.unchanged, kept: p.kept.length };
}

export function buildReport(plan: SyncPlan, extra: Omit<ResyncReport, "drift" | "users" | "organizations" | "memberships" | "invalid">): ResyncReport {
  return {
    dryRun: extra.dryRun,
    drift: hasDrift(plan),
    users: countsOf(plan.users),
    organizations: countsOf(plan.organizations),
    memberships: countsOf(plan.memberships),
    invalid: plan.invalid.map((i) => ({ id: i.id, reason: `${i.entity}: ${i.reason}` })),
    refusal: extra.refusal,
    requests: extra.requests,
    durationMs: extra.durationMs,
    retries: extra.retries,
    rowsWritten: extra.rowsWritten,
    instanceId: extra.instanceId,
    prunedSidecar: extra.prunedSidecar,
    phasesMs: extra.phasesMs,
    mapping: extra.mapping,
  };
}

/**
 * The `--json` document, `{…report, "changes": […]}`, as chunks of text: the change list is
 * serialized as it is produced, never held whole.
 */
export function* reportJsonChunks(report: ResyncReport, changes: Iterable<Change>, chunkSize = 64 * 1024): Generator<string> {
  let buffer = `${JSON.stringify(report).slice(0, -1)},"changes":[`;
  let first = true;
  for (const change of changes) {
    buffer += (first ? "" : ",") + JSON.stringify(change);
    first = false;
    if (buffer.length >= chunkSize) {
      yield buffer;
      buffer = "";
    }
  }
  yield `${buffer}]}\n`;
}

/** Changes listed per entity by the human report; --json lists all. */
export const CHANGES_SHOWN_PER_ENTITY = 20;

const SIGN: Record<Change["op"], string> = { create: "+", update: "~", delete: "-", keep: "=" };
const ENTITY_KEY: Record<ChangeEntity, "users" | "organizations" | "memberships"> = { user: "users", organization: "organizations", membership: "memberships" };

function showValue(field: string, value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (TIME_FIELDS.has(field) && typeof value === "number") return new Date(value).toISOString();
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function formatChange(c: Change): string[] {
  const lines = [`  ${SIGN[c.op]} ${c.entity} ${c.id}  ${c.label}${c.reason ? `  kept: ${c.reason}` : ""}`];
  for (const [field, v] of Object.entries(c.fields)) lines.push(`      ${field}: ${showValue(field, v.old)} → ${showValue(field, v.new)}`);
  return lines;
}

/** The human form: one table, the changes (a few per entity), then what was odd. */
export function formatReport(r: ResyncReport, options: { pruned: boolean; changes?: (entity: ChangeEntity) => Iterable<Change> }): string {
  const rows = (["users", "organizations", "memberships"] as const).map((e) => [e, r[e].created, r[e].updated, r[e].deleted, r[e].unchanged, r[e].kept] as const);
  const title = r.dryRun ? `Plan (dry run, nothing written) against Clerk instance ${r.instanceId}` : `Resynced from Clerk instance ${r.instanceId}`;
  const lines = [title, "", formatTable(["", "create", "update", options.pruned ? "delete" : "stale (kept)", "unchanged", "kept (newer)"], rows.map((x) => [...x]))];
  if (options.changes) {
    const listed: string[] = [];
    for (const entity of CHANGE_ENTITIES) {
      const c = r[ENTITY_KEY[entity]];
      const total = c.created + c.updated + (options.pruned ? c.deleted : 0) + c.kept;
      let shown = 0;
      for (const change of options.changes(entity)) {
        if (shown === CHANGES_SHOWN_PER_ENTITY) break;
        if (change.op === "delete" && !options.pruned) continue;
        listed.push(...formatChange(change));
        shown += 1;
      }
      if (total > shown) listed.push(`  … and ${total - shown} more ${ENTITY_KEY[entity]} (--json lists all)`);
    }
    if (listed.length) lines.push("", r.dryRun ? "Changes (+ create, ~ update, - delete, = kept):" : "Changes made (+ create, ~ update, - delete, = kept):", ...listed);
  }
  lines.push("", `${r.requests} Clerk requests (${r.retries} retried), ${r.rowsWritten} rows written, ${(r.durationMs / 1000).toFixed(1)} s`);
  if (r.prunedSidecar) lines.push(`Local data of deleted users, organizations and memberships saved to ${r.prunedSidecar}`);
  if (r.refusal) lines.push("", `This plan would be refused: ${r.refusal}`);
  if (r.invalid.length) {
    lines.push("", `${r.invalid.length} Clerk records could not be synced:`);
    for (const i of r.invalid.slice(0, 20)) lines.push(`  ${i.id}: ${i.reason}`);
    if (r.invalid.length > 20) lines.push(`  … and ${r.invalid.length - 20} more (--json lists all)`);
  }
  return lines.join("\n");
}

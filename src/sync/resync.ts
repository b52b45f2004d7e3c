import type { ClerkApi } from "../clerk/client.ts";
import type { Database } from "../db/database.ts";
import { readLabelSources, readLocalState } from "../db/local-state.ts";
import { assertSyncedFrom } from "../db/sync-state.ts";
import { SafetyError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { savePrunedLocalData } from "../sidecar/prune.ts";
import { applyParents, applyPlan } from "./apply.ts";
import { buildLabelBook, planChanges, type Change, type ChangeEntity } from "./changes.ts";
import { fetchClerkSnapshot, fetchStillPresent, type FetchProgress } from "./fetch.ts";
import { createSnapshotMapper } from "./map.ts";
import { createSyncPlanner, deleteShare, withoutDeletes, withoutStillPresent, type SyncPlan, type SyncPlanner } from "./plan.ts";
import { buildReport, type ResyncReport } from "./report.ts";

export interface ResyncOptions {
  /** Plan only: no writes at all. */
  dryRun: boolean;
  /** Delete rows Clerk no longer has (after confirming each is gone). */
  prune: boolean;
  allowMassDelete: boolean;
  forceInstance: boolean;
  /** Where org-local data of pruned organizations is saved first. */
  sidecarDir: string;
  /** Mirror Clerk's private metadata (CLERK_RESYNC_MIRROR_PRIVATE_METADATA); off, it is written as null. */
  mirrorPrivateMetadata?: boolean;
  concurrency?: number;
  /**
   * All writes in one transaction at the end, none while listing (the watcher: a tick that fails
   * halfway writes nothing). By default users and organizations are written as soon as listed.
   */
  allOrNothing?: boolean;
  onFetchProgress?: (p: FetchProgress) => void;
  onApplyProgress?: (done: number, total: number) => void;
}

/** What a plain `clerk:resync` does: apply, prune (confirmed), no overrides. */
export function defaultResyncOptions(sidecarDir: string, mirrorPrivateMetadata = false): ResyncOptions {
  return { dryRun: false, prune: true, allowMassDelete: false, forceInstance: false, sidecarDir, mirrorPrivateMetadata };
}

/** A plan that would delete more than this share of an entity's local rows (and at least MASS_DELETE_MIN rows) needs --allow-mass-delete. */
export const MASS_DELETE_SHARE = 0.5;
export const MASS_DELETE_MIN = 3;

export interface ResyncResult {
  report: ResyncReport;
  plan: SyncPlan;
  /** The plan's changes, produced lazily (all, or one entity's). */
  changes(entity?: ChangeEntity): Iterable<Change>;
}

/** Throws if the database belongs to another Clerk instance (the resync checks before writing anything). */
export async function checkInstance(db: Database, instanceId: string, force: boolean): Promise<void> {
  await assertSyncedFrom(db.pool, instanceId, {
    force,
    source: "CLERK_SECRET_KEY",
    remedy: "use the key of the instance this database came from, or pass --force-instance to replace its Clerk data with this instance's.",
  });
}

/** Why the mass-delete stop refuses this plan, or null. */
function massDeleteRefusal(plan: SyncPlan, localCounts: Parameters<typeof deleteShare>[1]): string | null {
  const risky = deleteShare(plan, localCounts).filter((d) => d.entity !== "memberships" && d.stale >= MASS_DELETE_MIN && d.share > MASS_DELETE_SHARE);
  if (!risky.length) return null;
  const what = risky.map((d) => `${d.stale} of ${d.local} ${d.entity} (${Math.round(d.share * 100)}%)`).join(" and ");
  return (
    `Refusing to delete ${what}: that looks like the key of another Clerk instance. ` +
    "Check CLERK_SECRET_KEY; if Clerk really lost them, rerun with --allow-mass-delete (or --no-prune to keep them)."
  );
}

interface Planned {
  plan: SyncPlan;
  planner: SyncPlanner;
  localCounts: Record<"users" | "organizations" | "memberships", number>;
  /** Whether users and organizations were already written (never on a dry run). */
  parentsApplied: boolean;
  parentRows: number;
}

/**
 * fetch → map → plan, page by page. The database is read while Clerk is paged (pages arriving
 * before it is read wait in `early`); only counts of the local rows are kept here, the planner
 * holds the rows and lets each go once Clerk's copy has been compared with it. Unless it is a dry
 * run, users and organizations are written as soon as both listings are complete, while
 * memberships may still be paging.
 */
async function fetchAndPlan(db: Database, api: ClerkApi, instance: Promise<string>, options: ResyncOptions, listedSince: number): Promise<Planned> {
  let planner: SyncPlanner | undefined;
  const early: ((p: SyncPlanner) => void)[] = [];
  const toPlanner = <K extends "users" | "organizations" | "memberships">(kind: K) =>
    ((rows: Parameters<SyncPlanner[K]>[0]) => (planner ? planner[kind](rows as never) : early.push((p) => p[kind](rows as never)))) as SyncPlanner[K];
  const mapper = createSnapshotMapper(
    { users: toPlanner("users"), organizations: toPlanner("organizations"), memberships: toPlanner("memberships") },
    { privateMetadata: options.mirrorPrivateMetadata ?? false },
  );

  const listed = new Set<string>();
  let parentsWritten: Promise<number> | undefined;
  const writeParentsWhenListed = () => {
    if (options.dryRun || options.allOrNothing || parentsWritten || !planner || !listed.has("users") || !listed.has("organizations")) return;
    const parents = planner.parents(mapper.present);
    parentsWritten = instance.then((instanceId) => applyParents(db.pool, parents.users, parents.organizations, { instanceId, listedSince }));
    parentsWritten.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
  };
  // PGlite serves every connection from one session: its queries wait for the instance check's.
  const readLocal = (db.pglite ? instance.then(() => {}, () => {}) : Promise.resolve()).then(() => readLocalState(db.pool)).then((local) => {
    planner = createSyncPlanner(local);
    for (const replay of early.splice(0)) replay(planner);
    writeParentsWhenListed();
    return { users: local.users.length, organizations: local.organizations.length, memberships: local.memberships.length };
  });
  // A wrong instance stops the listing too (nothing was written: writes wait for the check).
  const stop = new AbortController();
  instance.catch((err) => stop.abort(err));
  const fetched = fetchClerkSnapshot(api, mapper, {
    signal: stop.signal,
    concurrency: options.concurrency,
    onProgress: options.onFetchProgress,
    onListingDone: (entity) => {
      listed.add(entity);
      writeParentsWhenListed();
    },
  });
  try {
    const [localCounts] = await Promise.all([readLocal, fetched, instance]);
    const parentRows = (await parentsWritten) ?? 0;
    return { plan: planner!.finish(mapper.present, mapper.invalid), planner: planner!, localCounts, parentsApplied: parentsWritten !== undefined, parentRows };
  } catch (err) {
    stop.abort(err);
    await Promise.allSettled([fetched, readLocal, parentsWritten]);
    throw err;
  }
}

/** Drops from the plan's deletes every record a by-id lookup finds still in Clerk. */
async function confirmDeletes(api: ClerkApi, planned: Planned, log: Logger): Promise<SyncPlan> {
  const { plan, planner } = planned;
  if (!plan.users.stale.length && !plan.organizations.stale.length && !plan.memberships.stale.length) return plan;
  const staleMemberships = new Set(plan.memberships.stale);
  const stillPresent = await fetchStillPresent(api, {
    users: plan.users.stale,
    organizations: plan.organizations.stale,
    memberships: [...planner.unmatchedMemberships()].filter((m) => staleMemberships.has(m.id)),
  });
  const kept = stillPresent.users.size + stillPresent.organizations.size + stillPresent.memberships.size;
  if (kept) log.warn({ kept }, "records missing from a listing still exist in Clerk (changed while paging); not deleting them");
  return withoutStillPresent(plan, stillPresent);
}

/**
 * fetch → map → plan → confirm deletes → apply. A failed listing deletes nothing (users and
 * organizations already listed may have been written: they are Clerk's truth), and a row is
 * deleted only if a by-id lookup confirms Clerk no longer has it.
 */
export async function runResync(deps: { db: Database; api: ClerkApi; log: Logger }, options: ResyncOptions): Promise<ResyncResult> {
  const started = performance.now();
  const { db, api, log } = deps;

  // The instance is checked while the listing starts (one round trip fewer); nothing is written before it passes.
  const instance = api.fetchInstanceId().then(async (id) => {
    await checkInstance(db, id, options.forceInstance);
    return id;
  });
  instance.catch(() => {}); // awaited in fetchAndPlan
  // Deletes recorded from here on (by a webhook, say) win over what this listing sees.
  const listedSince = Date.now();
  const planned = await fetchAndPlan(db, api, instance, options, listedSince);
  const instanceId = await instance;
  const fetched = performance.now();
  log.debug({ ...planned.localCounts, invalid: planned.plan.invalid.length }, "fetched from Clerk and planned (local row counts shown)");

  let plan = planned.plan;
  let refusal: string | null = null;
  if (!options.prune) plan = withoutDeletes(plan);
  else {
    plan = await confirmDeletes(api, planned, log);
    if (!options.allowMassDelete && !options.forceInstance) refusal = massDeleteRefusal(plan, planned.localCounts);
  }
  // A dry run (and --check) shows a refused plan whole; only a real run stops.
  if (refusal && !options.dryRun) throw new SafetyError(refusal);
  // Labels of deleted rows come from the database, so they are read before anything is applied.
  const labels = await buildLabelBook(plan, planned.planner.unmatchedMemberships(), (ids) => readLabelSources(db.pool, ids));

  const confirmed = performance.now();
  let rowsWritten = planned.parentRows;
  let prunedSidecar: string | null = null;
  if (!options.dryRun) {
    if (plan.organizations.stale.length || plan.users.stale.length || plan.memberships.stale.length) prunedSidecar = await savePrunedLocalData(db.pool, { Organization: plan.organizations.stale, User: plan.users.stale, OrganizationMembership: plan.memberships.stale }, { instanceId, sidecarDir: options.sidecarDir });
    // The counter includes the parents written early, so it ends at the report's rowsWritten.
    const onProgress = options.onApplyProgress && ((done: number, total: number) => options.onApplyProgress!(planned.parentRows + done, planned.parentRows + total));
    rowsWritten += (await applyPlan(db.pool, plan, { instanceId, parentsApplied: planned.parentsApplied, onProgress, listedSince })).rowsWritten;
  }

  const report = buildReport(plan, {
    dryRun: options.dryRun,
    refusal,
    requests: api.stats.requests,
    retries: api.stats.retries,
    durationMs: Math.round(performance.now() - started),
    phasesMs: { fetch: Math.round(fetched - started), confirm: Math.round(confirmed - fetched), apply: Math.round(performance.now() - confirmed) },
    rowsWritten,
    instanceId,
    prunedSidecar,
  });
  return { report, plan, changes: (entity) => planChanges(plan, labels, entity) };
}

import { DEFAULT_MIRROR, type Mirror } from "../mirror/columns.ts";
import { describeMirror } from "../mirror/describe.ts";
import type { ClerkApi } from "../clerk/client.ts";
import type { Database } from "../db/database.ts";
import { readLabelSources, readLocalIndex, readLocalRows } from "../mirror/local-state.ts";
import type { EntityRow, Local, OrganizationRow, UserRow } from "../mirror/rows.ts";
import { assertSyncedFrom } from "../mirror/sync-state.ts";
import { SafetyError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { savePrunedLocalData } from "../sidecar/prune.ts";
import { APPLY_BATCH_SIZE, applyPlan, originOf } from "./apply.ts";
import { buildLabelBook, planChanges, type Change, type ChangeEntity } from "./changes.ts";
import { fetchClerkSnapshot, fetchStillPresent, type FetchProgress } from "./fetch.ts";
import { createSnapshotMapper } from "./map.ts";
import { createSyncPlanner, deleteShare, withoutDeletes, withoutStillPresent, type SyncPlan, type SyncPlanner } from "./plan.ts";
import { buildReport, type ResyncReport } from "./report.ts";
import { createUpsertWriter, type UpsertWriter } from "./upsert-writer.ts";

export type ListingProgress = FetchProgress & { rowsWritten: number };

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
  /** Where Clerk's records live in the app's database (default: clerk-resync's own schema). */
  mirror?: Mirror;
  concurrency?: number;
  /**
   * All writes in one transaction at the end, none while listing (the watcher: a tick that fails
   * halfway writes nothing). By default creates and updates are written as soon as planned.
   */
  allOrNothing?: boolean;
  /** While listing: pages fetched, and rows already written by the upsert writer. */
  onFetchProgress?: (p: ListingProgress) => void;
  onApplyProgress?: (done: number, total: number) => void;
}

/** What a plain `clerk:resync` does: apply, prune (confirmed), no overrides. */
export function defaultResyncOptions(sidecarDir: string, mirrorPrivateMetadata = false, mirror?: Mirror): ResyncOptions {
  return { dryRun: false, prune: true, allowMassDelete: false, forceInstance: false, sidecarDir, mirrorPrivateMetadata, mirror };
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
}

/**
 * fetch → map → plan, page by page. The database is read alongside: first the ids of its users
 * and organizations and its memberships whole (pages that arrive first wait for them), then, for
 * each listed page of users or organizations, the rows of the ids it lists. Only counts of the
 * local rows are kept here; the planner lets each row go once Clerk's copy has been compared with
 * it. Creates and updates go to `ready` as soon as they are decided (see ReadyUpserts). Aborting
 * `stop` stops the listing.
 */
async function listAndPlan(db: Database, api: ClerkApi, instance: Promise<string>, options: ResyncOptions, stop: AbortController, ready?: UpsertWriter): Promise<Planned> {
  const planner = createSyncPlanner(undefined, ready, options.mirror);
  // A first sync would otherwise hold every created row until the end, only for its label.
  ready?.handOverCreates((entity, created) => planner.wrote(entity, created as readonly (UserRow | OrganizationRow)[]));
  // On PGlite these reads wait for the instance check's in the pool itself (connectDatabase).
  const readIndex = readLocalIndex(db.pool, options.mirror).then((index) => {
    planner.compareWithIndex(index);
    return { users: index.users.length, organizations: index.organizations.length, memberships: index.memberships.length };
  });
  // Each page of users or organizations is planned once the rows it lists are read from the
  // database: only a page's rows are held, never the table.
  const reading = { users: new Set<Promise<void>>(), organizations: new Set<Promise<void>>() };
  const withLocalRows =
    <E extends "users" | "organizations">(entity: E, plan: (rows: readonly EntityRow[E][], read: ReadonlyMap<string, Local<EntityRow[E]>>) => void) =>
    (rows: readonly EntityRow[E][]) => {
      // A page still in flight when the listing failed reads nothing: the run is over.
      if (stop.signal.aborted) return;
      const pageDone = readIndex.then(async () => {
        const ids = planner.unread(entity, rows);
        const read = ids.length ? await readLocalRows(db.pool, entity, ids, options.mirror) : [];
        plan(rows, new Map(read.map((r) => [r.id, r])));
      });
      reading[entity].add(pageDone);
      pageDone.then(() => reading[entity].delete(pageDone), (err: unknown) => stop.abort(err));
    };
  /** Until every page of `entity` handed on so far is planned. */
  const pagesPlanned = async (entity: "users" | "organizations") => {
    while (reading[entity].size) await Promise.all(reading[entity]);
  };
  const mapper = createSnapshotMapper(
    { users: withLocalRows("users", planner.users), organizations: withLocalRows("organizations", planner.organizations), memberships: planner.memberships },
    { privateMetadata: options.mirrorPrivateMetadata ?? false, mirror: options.mirror },
  );
  const listed = new Set<string>();
  let parentsPlanned: Promise<void> = Promise.resolve();
  const fetched = fetchClerkSnapshot(api, mapper, {
    signal: stop.signal,
    concurrency: options.concurrency,
    onProgress: options.onFetchProgress && ((p) => options.onFetchProgress!({ ...p, rowsWritten: ready?.rowsWritten ?? 0 })),
    onListingDone: (entity) => {
      if (entity === "memberships") return;
      // Memberships waiting for a parent go once both parent listings are listed and planned.
      parentsPlanned = parentsPlanned.then(async () => {
        await pagesPlanned(entity);
        listed.add(entity);
        if (listed.has("users") && listed.has("organizations")) planner.parentsListed(planner.present(mapper.refused));
      });
      parentsPlanned.catch((err: unknown) => stop.abort(err));
    },
  });
  try {
    const [localCounts] = await Promise.all([readIndex, fetched, instance]);
    await Promise.all([pagesPlanned("users"), pagesPlanned("organizations"), parentsPlanned]);
    // A failed read of a page's rows aborted the listing; the listing may still have ended first.
    stop.signal.throwIfAborted();
    return { plan: planner.finish(planner.present(mapper.refused), mapper.invalid), planner, localCounts };
  } catch (err) {
    stop.abort(err);
    // The listing first: once it has settled, no page starts a read (see withLocalRows).
    await Promise.allSettled([fetched, readIndex]);
    await Promise.allSettled([parentsPlanned, ...reading.users, ...reading.organizations]);
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
 * fetch → map → plan (creates and updates written as they are planned) → confirm deletes → guard
 * → apply the rest. A failed listing deletes nothing (rows already written are Clerk's truth), and
 * a row is deleted only if a by-id lookup confirms Clerk no longer has it.
 */
export async function runResync(deps: { db: Database; api: ClerkApi; log: Logger }, options: ResyncOptions): Promise<ResyncResult> {
  const started = performance.now();
  const { db, api, log } = deps;

  // The instance is checked while the listing starts (one round trip fewer); nothing is written before it passes.
  const instance = api.fetchInstanceId().then(async (id) => {
    await checkInstance(db, id, options.forceInstance);
    return id;
  });
  const stop = new AbortController();
  // A wrong instance stops the listing too (and the rejection is handled here; it is awaited below).
  instance.catch((err) => stop.abort(err));
  // Deletes recorded from here on (by a webhook, say) win over what this listing sees.
  const timing = { listedSince: Date.now() };

  // 1. List and plan; creates and updates are written as soon as they are planned, so writing
  //    overlaps the listing (not on a dry run, nor when the caller wants all or nothing).
  let earlyRows = 0;
  const writer =
    options.dryRun || options.allOrNothing
      ? undefined
      : createUpsertWriter(db.pool, {
          instance,
          origin: originOf(timing),
          batchSize: APPLY_BATCH_SIZE,
          // PGlite's pool lends one connection at a time (connectDatabase): a second lane would only wait.
          lanes: db.pglite ? 1 : 2,
          onError: (err) => stop.abort(err),
          mirror: options.mirror,
        });
  let planned: Planned;
  try {
    planned = await listAndPlan(db, api, instance, options, stop, writer);
    earlyRows = (await writer?.finish()) ?? 0;
  } catch (err) {
    await writer?.stop();
    throw err;
  }
  const instanceId = await instance;
  const fetched = performance.now();
  log.debug({ ...planned.localCounts, invalid: planned.plan.invalid.length, earlyRows }, "fetched from Clerk and planned (local row counts shown)");

  // 2. Confirm deletes by id, and 3. the mass-delete guard.
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
  const labels = await buildLabelBook(plan, planned.planner.unmatchedMemberships(), (ids) => readLabelSources(db.pool, ids, options.mirror));

  // 4. Apply the rest: what could not be written early, re-keys, tombstones, deletes.
  const confirmed = performance.now();
  let rowsWritten = earlyRows;
  let prunedSidecar: string | null = null;
  if (!options.dryRun) {
    const stale = { organizations: plan.organizations.stale, users: plan.users.stale, memberships: plan.memberships.stale };
    prunedSidecar = await savePrunedLocalData(db.pool, stale, { instanceId, sidecarDir: options.sidecarDir, mirror: options.mirror });
    // The counter includes the rows written early, so it ends at the report's rowsWritten.
    const onProgress = options.onApplyProgress && ((done: number, total: number) => options.onApplyProgress!(earlyRows + done, earlyRows + total));
    rowsWritten += (await applyPlan(db.pool, plan, { instanceId, written: writer?.written, onProgress, mirror: options.mirror, ...timing })).rowsWritten;
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
    mapping: describeMirror(options.mirror ?? DEFAULT_MIRROR),
  });
  return { report, plan, changes: (entity) => planChanges(plan, labels, entity) };
}

import type { ClerkApi } from "../clerk/client.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { databaseIdentity } from "../db/identity.ts";
import { migrateAndSeed } from "../db/migrate-and-seed.ts";
import { inSnapshot } from "../db/transaction.ts";
import { ConfigError, errorMessage, SafetyError, StepError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { writeSidecarFile } from "../sidecar/files.ts";
import { countRows, emptySidecar, totalRows, type Sidecar } from "../sidecar/format.ts";
import { readLocalTables } from "../sidecar/local-tables.ts";
import { readLocalData } from "../sidecar/read-local-data.ts";
import { checkSidecar, mergeRestoreReports, restoreSidecar, type RestoreReport } from "../sidecar/restore.ts";
import { verifyRestore, type TableVerification } from "../sidecar/verify.ts";
import type { ResyncReport } from "../sync/report.ts";
import { defaultResyncOptions, runResync } from "../sync/resync.ts";
import { countClerkTables, isMigrated, type ClerkCounts } from "./counts.ts";
import { changedTables, readFingerprint, type Fingerprint } from "./fingerprint.ts";
import { folderSwitcher } from "./folder-switch-target.ts";
import { refuseLegacyJournal } from "./journal.ts";
import { preflight } from "./preflight.ts";
import { schemaSwitcher } from "./schema-switch.ts";
import type { BuildTarget, Switcher, UndoResult } from "./target.ts";

export interface ResetOptions {
  yes: boolean;
  forceInstance: boolean;
  /** Drop the previous database after the switch instead of keeping it for --undo. */
  keepPrevious?: boolean;
  onStep?: (step: string) => void;
}

export interface ResetDeps {
  config: Config;
  db: Database;
  api: ClerkApi;
  log: Logger;
}

export interface ResetReport {
  /** The database reset (host:port/name, or the embedded folder). */
  database: string;
  backup: string;
  instanceId: string;
  before: ClerkCounts;
  after: ClerkCounts;
  /** Rows per table in the backup. */
  backedUp: Record<string, number>;
  resync: ResyncReport;
  restore: RestoreReport;
  /** Every backed-up table of the new database read back and compared with the backup. */
  tables: TableVerification[];
  verified: boolean;
  /** Where the previous database is kept for `db:reset --undo`, or null (--no-keep). */
  previous: string | null;
  /** Sessions of other processes closed at the switch; they reconnect to the new data. */
  closedSessions: number;
  durationMs: number;
}

/** The steps, in order, as the progress line and the log name them. */
export const RESET_STEPS = {
  preflight: "preflight: Clerk, database, rights, local tables",
  backup: "backing up local data to the sidecar",
  build: "building the new database beside the live one (prisma migrate deploy, then the app's seed)",
  resync: "resyncing users, organizations and memberships from Clerk into the new database",
  restore: "restoring local data into the new database",
  verify: "verifying every table of the new database against the backup",
  switch: "switching the new database in",
} as const;

/** Schema beside the live one on PostgreSQL; a sibling folder for the embedded database this process opened. */
export function switcherFor(db: Database): Switcher {
  if (db.folder) return folderSwitcher(db as Database & { folder: NonNullable<Database["folder"]> });
  if (db.pglite) {
    throw new ConfigError(
      "db:reset of an embedded database served by another process (`pnpm dev`?) cannot switch its data folder. Stop that process, then run pnpm db:reset (it opens the folder itself); nothing was changed",
    );
  }
  return schemaSwitcher(db);
}

/**
 * preflight → sidecar backup (re-read and validated, with a fingerprint of the live data) →
 * build the new database beside the live one (`prisma migrate deploy`, the app's seed) → Clerk's
 * tables, tombstones and ledger from the backup → resync → local data → verify every table →
 * switch atomically, keeping the previous database for --undo. Nothing before the switch writes
 * to the live database: any failure, Ctrl-C or kill leaves it as it was.
 */
export async function runReset(deps: ResetDeps, options: ResetOptions): Promise<ResetReport> {
  const started = performance.now();
  const { config, db, api, log } = deps;
  const step = (s: string) => {
    log.info(s);
    options.onStep?.(s);
  };
  const database = databaseIdentity(config);

  step(RESET_STEPS.preflight);
  refuseLegacyJournal(config.sidecarDir);
  const target = switcherFor(db).target();
  await target.checkRights();
  const { instanceId, before } = await preflight(db, api, { ...options, settings: config });

  step(RESET_STEPS.backup);
  const { sidecar, fingerprint } = await inSnapshot(db.pool, async (client) => {
    // A database never migrated has no local data: the sidecar is then empty, but still written.
    const sidecar: Sidecar = (await isMigrated(client, config.mirror))
      ? await readLocalData(client, await readLocalTables(client, config), { reason: "reset", clerkInstanceId: instanceId, whole: true, toolTables: true, database })
      : emptySidecar("reset", instanceId, new Date(), database);
    return { sidecar, fingerprint: await readFingerprint(client) };
  });
  const backup = writeSidecarFile(sidecar, { dir: config.sidecarDir, latest: true });
  log.info({ backup, rows: countRows(sidecar) }, "sidecar written and validated");

  const built = await buildBeside(deps, target, { sidecar, fingerprint }, backup, step);
  if (!built.verified) {
    await target.discard().catch(() => {});
    const different = built.tables.filter((t) => !t.identical).map((t) => `${t.table} (expected ${t.expected} rows, found ${t.actual})`);
    throw new StepError(`The new database differs from the backup: ${different.join(", ")}. The live database was not touched; the new one was dropped.`, `the backup is ${backup}; report this with \`pnpm db:reset --json\`'s output`);
  }

  step(RESET_STEPS.switch);
  const switched = await switchIn(target, fingerprint, options.keepPrevious ?? true, backup);
  log.info({ previous: switched.previous, closedSessions: switched.closedSessions }, "switched");
  return {
    database,
    backup,
    instanceId,
    before,
    after: built.after,
    backedUp: countRows(sidecar),
    resync: built.resync,
    restore: built.restore,
    tables: built.tables,
    verified: true,
    previous: switched.previous,
    closedSessions: switched.closedSessions,
    durationMs: Math.round(performance.now() - started),
  };
}

interface Built {
  resync: ResyncReport;
  restore: RestoreReport;
  tables: TableVerification[];
  verified: boolean;
  after: ClerkCounts;
}

async function buildBeside(deps: ResetDeps, target: BuildTarget, saved: { sidecar: Sidecar; fingerprint: Fingerprint }, backup: string, step: (s: string) => void): Promise<Built> {
  const { sidecar } = saved;
  const { config, api, log } = deps;
  const untouched = "The live database was not touched";
  let phase: string = RESET_STEPS.build;
  try {
    step(RESET_STEPS.build);
    const url = await target.prepare();
    await migrateAndSeed({ url }, config.rootDir);
    await refuseSeedInLiveData(deps.db, saved.fingerprint, backup);
    const db = await target.open();
    try {
      const tables = await readLocalTables(db.pool, config);
      checkSidecar(sidecar, tables, backup);
      // Clerk's rows whole (ids and app columns as they were), then the resync brings them up to date.
      const clerkRows = await restoreSidecar(db.pool, sidecar, tables, { mirrored: "whole", intoNewDatabase: true, only: (_, role) => role === "mirrored" || role === "tool" });
      phase = RESET_STEPS.resync;
      step(phase);
      const { report: resync } = await runResync({ db, api, log }, defaultResyncOptions(config.sidecarDir, config.mirrorPrivateMetadata, config.mirror));
      phase = RESET_STEPS.restore;
      step(phase);
      const localRows = await restoreSidecar(db.pool, sidecar, tables, { intoSeeded: true, intoNewDatabase: true, only: (_, role) => role === "owned" || role === "keep" || role === "seeded" });
      const restore = mergeRestoreReports(clerkRows, localRows);
      phase = RESET_STEPS.verify;
      step(phase);
      const verified = await verifyRestore(db.pool, tables, restore);
      log.info({ tables: verified.length, rows: totalRows(sidecar) }, "new database verified");
      return { resync, restore, tables: verified, verified: verified.every((t) => t.identical), after: await countClerkTables(db.pool, config.mirror) };
    } finally {
      await db.close();
    }
  } catch (err) {
    await target.discard().catch(() => {});
    if (err instanceof SafetyError || err instanceof ConfigError) throw err;
    throw new StepError(`db:reset stopped while ${phase}: ${errorMessage(err)}. ${untouched}; the unfinished new database was dropped.`, `fix the cause and run pnpm db:reset again (local data is also saved in ${backup})`, { cause: err });
  }
}

/**
 * The seed is handed the new database's URL (on PostgreSQL a sibling schema, named by `?schema=`).
 * A seed that ignores it (a PrismaPg client built without its `schema` option) writes into the live
 * data instead: caught here, before anything else is done, and said as what it is.
 */
async function refuseSeedInLiveData(live: Database, fingerprint: Fingerprint, backup: string): Promise<void> {
  const changed = changedTables(fingerprint, await readFingerprint(live.pool));
  if (!changed.length) return;
  throw new SafetyError(
    `db:reset stopped: while the app's seed ran on the new database, the live one changed (${changed.join(", ")}). ` +
      "Most likely the seed wrote into the live schema: it must use the schema that `?schema=` in its DATABASE_URL names " +
      "(with @prisma/adapter-pg: `new PrismaPg({ connectionString }, { schema: new URL(url).searchParams.get(\"schema\") ?? undefined })`). " +
      `The live data as it was before is in ${backup}: \`clerk-resync restore ${backup}\` puts changed and deleted rows back, but rows the seed added to the live tables stay until you delete them. The new database was dropped.`,
  );
}

async function switchIn(target: BuildTarget, fingerprint: Fingerprint, keepPrevious: boolean, backup: string) {
  try {
    return await target.switchIn(fingerprint, keepPrevious);
  } catch (err) {
    await target.discard().catch(() => {});
    if (err instanceof StepError) throw err;
    throw new StepError(`db:reset could not switch the new database in: ${errorMessage(err)}. The live database was not touched.`, `run pnpm db:reset again (local data is also saved in ${backup})`, { cause: err });
  }
}

/** `db:reset --undo`: the database as it was before the last reset, in one step. */
export async function undoReset(db: Database): Promise<UndoResult> {
  return switcherFor(db).undo();
}

import type { ClerkApi } from "../clerk/client.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { pgConfigFromUrl } from "../db/pg-config.ts";
import { runPrismaCliOrThrow } from "../db/prisma-cli.ts";
import { inSnapshot } from "../db/transaction.ts";
import { errorMessage, StepError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { readSidecarFile, writeSidecarFile } from "../sidecar/files.ts";
import { countRows, emptySidecar, totalRows, type Sidecar } from "../sidecar/format.ts";
import { readLocalTables } from "../sidecar/local-tables.ts";
import { readTableClasses } from "../sidecar/table-config.ts";
import { readLocalData } from "../sidecar/read-local-data.ts";
import { restoreSidecar, type RestoreReport } from "../sidecar/restore.ts";
import { verifyRestore, type TableVerification } from "../sidecar/verify.ts";
import type { ResyncReport } from "../sync/report.ts";
import { defaultResyncOptions, runResync } from "../sync/resync.ts";
import { countClerkTables, isMigrated, type ClerkCounts } from "./counts.ts";
import { clearJournal, readJournal, writeJournal, type ResetJournal } from "./journal.ts";
import { preflight } from "./preflight.ts";

export interface ResetOptions {
  yes: boolean;
  forceInstance: boolean;
  onStep?: (step: string) => void;
}

export interface ResetDeps {
  config: Config;
  db: Database;
  api: ClerkApi;
  log: Logger;
}

export interface ResetReport {
  backup: string;
  instanceId: string;
  /** This run finished a reset an earlier run started (interrupted or failed after the wipe). */
  resumed: boolean;
  before: ClerkCounts;
  after: ClerkCounts;
  /** Rows per table in the backup. */
  backedUp: Record<string, number>;
  resync: ResyncReport;
  restore: RestoreReport;
  /** Every backed-up table read back and compared with the backup. */
  tables: TableVerification[];
  verified: boolean;
  durationMs: number;
}

/**
 * preflight → sidecar backup (re-read and validated) → journal → `prisma migrate reset --force`
 * (seeds) → resync → restore → verify every table → clear the journal. Nothing is touched until
 * preflight and backup succeeded. If an earlier reset did not finish, this run finishes that one
 * from its backup instead and stops there: backing up the half-reset database would lose data.
 */
export async function runReset(deps: ResetDeps, options: ResetOptions): Promise<ResetReport> {
  const resumed = await finishInterruptedReset(deps, options.onStep);
  if (resumed) return resumed;
  const started = performance.now();
  const { config, db, api, log } = deps;
  const step = stepper(log, options.onStep);

  step("preflight: Clerk, database, instance, local tables");
  const { instanceId, before } = await preflight(db, api, { ...options, rootDir: config.rootDir });

  step("backing up local data to the sidecar");
  // A database never migrated has no local data: the sidecar is then empty, but still written.
  const sidecar = (await isMigrated(db.pool))
    ? await inSnapshot(db.pool, async (client) => readLocalData(client, await readLocalTables(client, readTableClasses(config.rootDir)), { reason: "reset", clerkInstanceId: instanceId }))
    : emptySidecar("reset", instanceId);
  const backup = writeSidecarFile(sidecar, { dir: config.sidecarDir, latest: true });
  log.info({ backup, rows: countRows(sidecar) }, "sidecar written and validated");

  const journal: ResetJournal = { format: "clerk-resync-reset-journal", startedAt: new Date().toISOString(), pid: process.pid, backup, instanceId, database: databaseIdentity(config, db), step: "wipe", before };
  writeJournal(config.sidecarDir, journal);
  step("resetting the database (prisma migrate reset --force, then seed)");
  await wipe(deps, journal);
  return completeReset(deps, journal, sidecar, { started, resumed: false, step });
}

/** If a reset was left unfinished, finish it from its backup (resync, restore, verify). */
export async function finishInterruptedReset(deps: ResetDeps, onStep?: (step: string) => void): Promise<ResetReport | undefined> {
  const journal = readJournal(deps.config.sidecarDir);
  if (!journal) return undefined;
  const started = performance.now();
  const step = stepper(deps.log, onStep);
  deps.log.warn({ backup: journal.backup, startedAt: journal.startedAt, pid: journal.pid, step: journal.step }, "an earlier db:reset did not finish: finishing it from its backup first");
  step(`finishing the db:reset started ${journal.startedAt} from ${journal.backup}`);
  // Only the database and the Clerk instance it was started on: never wipe or fill another one.
  const here = databaseIdentity(deps.config, deps.db);
  if (journal.database && journal.database !== here) {
    throw new StepError(`A db:reset of ${journal.database} (started ${journal.startedAt}) has not finished, but this command is pointed at ${here}; nothing was changed.`, `point DATABASE_URL back at ${journal.database} and run pnpm db:reset to finish it`);
  }
  const instanceId = await deps.api.fetchInstanceId();
  if (instanceId !== journal.instanceId) {
    throw new StepError(`A db:reset started ${journal.startedAt} with Clerk instance ${journal.instanceId} has not finished, but CLERK_SECRET_KEY is of ${instanceId}; nothing was changed.`, "set CLERK_SECRET_KEY back to that instance's key and run pnpm db:reset to finish it");
  }
  const sidecar = readSidecarFile(journal.backup);
  // Stopped during the wipe: the schema may be half dropped. Redo the wipe; the data is in the backup.
  if (journal.step === "wipe") await wipe(deps, journal);
  return completeReset(deps, journal, sidecar, { started, resumed: true, step });
}

/** Host, port and database name (no credentials), or the embedded data folder. */
function databaseIdentity(config: Config, db: Database): string {
  if (db.embedded) return `the embedded database in ${config.pgliteDir}`;
  const c = pgConfigFromUrl(db.url);
  return `${c.host ?? "localhost"}:${c.port ?? 5432}/${c.database ?? ""}`;
}

/** For commands that only read (a dry run, a check, a backup): an unfinished reset is not theirs to finish. */
export function refuseDuringReset(sidecarDir: string, why: string): void {
  const journal = readJournal(sidecarDir);
  if (journal) throw new StepError(`A db:reset started ${journal.startedAt} has not finished (its data is in ${journal.backup}): ${why}. Nothing was written.`, "pnpm db:reset (it finishes that reset first)");
}

const stepper = (log: Logger, onStep?: (step: string) => void) => (s: string) => {
  log.info(s);
  onStep?.(s);
};

const finishHint = (backup: string) => `pnpm db:reset (it finishes this reset from ${backup}; so does any clerk-resync command)`;

async function wipe(deps: ResetDeps, journal: ResetJournal): Promise<void> {
  await runPrismaCliOrThrow(["migrate", "reset", "--force", "--skip-generate"], {
    databaseUrl: deps.db.url,
    cwd: deps.config.rootDir,
    context: `local data is safe in ${journal.backup}`,
    nextStep: finishHint(journal.backup),
  });
  writeJournal(deps.config.sidecarDir, { ...journal, step: "resync" });
}

async function completeReset(deps: ResetDeps, journal: ResetJournal, sidecar: Sidecar, run: { started: number; resumed: boolean; step: (s: string) => void }): Promise<ResetReport> {
  const { config, db, api, log } = deps;
  const { backup } = journal;
  run.step("resyncing users, organizations and memberships from Clerk");
  let resync: ResyncReport;
  try {
    resync = (await runResync({ db, api, log }, defaultResyncOptions(config.sidecarDir, config.mirrorPrivateMetadata))).report;
  } catch (err) {
    throw new StepError(`Resync after the reset failed: ${errorMessage(err)}. Local data is safe in ${backup}.`, finishHint(backup), { cause: err });
  }
  writeJournal(config.sidecarDir, { ...journal, step: "restore" });

  run.step("restoring local data from the sidecar");
  let restore: RestoreReport;
  let tables: TableVerification[];
  try {
    const local = await readLocalTables(db.pool, readTableClasses(config.rootDir));
    restore = await restoreSidecar(db.pool, sidecar, local);
    tables = await verifyRestore(db.pool, local, restore);
  } catch (err) {
    throw new StepError(`Restore failed: ${errorMessage(err)}. Local data is safe in ${backup}.`, finishHint(backup), { cause: err });
  }
  const verified = tables.every((t) => t.identical);
  if (verified) clearJournal(config.sidecarDir);
  else log.error({ tables: tables.filter((t) => !t.identical) }, "restored tables differ from the backup; the reset journal is kept");
  const after = await countClerkTables(db.pool);
  log.info({ tables: tables.length, rows: totalRows(sidecar), verified }, "restore verified");
  return {
    backup,
    instanceId: journal.instanceId,
    resumed: run.resumed,
    before: journal.before,
    after,
    backedUp: countRows(sidecar),
    resync,
    restore,
    tables,
    verified,
    durationMs: Math.round(performance.now() - run.started),
  };
}

// clerk-resync's programmatic API: the same work as the CLI's commands, with typed options and
// reports instead of printed lines. Errors are thrown (ConfigError, SafetyError, … from ./errors).
import { createClerkApi } from "./clerk/from-config.ts";
import { openDatabase } from "./db/database.ts";
import { acquireWriterLock } from "./db/writer-lock.ts";
import { assertResettable } from "./reset/local-database.ts";
import { runReset, undoReset, type ResetReport } from "./reset/run-reset.ts";
import type { UndoResult } from "./reset/target.ts";
import { markResetUnderWay } from "./reset/under-way.ts";
import type { ResyncReport } from "./sync/report.ts";
import { runResync } from "./sync/resync.ts";
import { apiContext, type ApiOptions } from "./api/context.ts";

export type { ApiOptions, ResetReport, ResyncReport, UndoResult };
export { defineConfig, type ClerkResyncConfig, type TableClass } from "./define-config.ts";
export { BusyError, ClerkRequestError, ConfigError, SafetyError, SidecarFormatError, StepError, UsageError } from "./errors.ts";

export interface ResyncApiOptions extends ApiOptions {
  /** Plan only, write nothing. */
  dryRun?: boolean;
  /** Keep rows Clerk no longer has (default: delete them once confirmed gone). */
  prune?: boolean;
  allowMassDelete?: boolean;
  forceInstance?: boolean;
  allowProduction?: boolean;
  /** Wait for another writer instead of refusing. */
  wait?: boolean;
}

/** Makes the mirrored users, organizations and memberships match Clerk (`clerk-resync resync`). */
export async function resync(options: ResyncApiOptions = {}): Promise<ResyncReport> {
  const { config, log } = await apiContext(options);
  const api = createClerkApi(config, log, { allowProduction: options.allowProduction });
  const db = await openDatabase(config, log, { command: "resync()", wait: options.wait, needsSchema: true });
  let release = async () => {};
  try {
    if (!options.dryRun) release = await acquireWriterLock(db, { command: "resync()", wait: options.wait, log });
    const { report } = await runResync(
      { db, api, log },
      {
        dryRun: options.dryRun ?? false,
        prune: options.prune ?? true,
        allowMassDelete: options.allowMassDelete ?? false,
        forceInstance: options.forceInstance ?? false,
        sidecarDir: config.sidecarDir,
        mirrorPrivateMetadata: config.mirrorPrivateMetadata,
        mirror: config.mirror,
      },
    );
    return report;
  } finally {
    await release();
    await db.close();
  }
}

export interface ResetApiOptions extends ApiOptions {
  /** Allow a database on another host or named like prod/staging. */
  yes?: boolean;
  forceInstance?: boolean;
  allowProduction?: boolean;
  /** Keep the previous database for `undo` (default true). */
  keepPrevious?: boolean;
  wait?: boolean;
  /** Called as each step starts. */
  onStep?: (step: string) => void;
}

/** Builds a new database beside the live one, verifies it and switches (`clerk-resync reset`). */
export async function reset(options: ResetApiOptions = {}): Promise<ResetReport> {
  const { config, log } = await apiContext(options);
  if (config.databaseUrl) assertResettable({ embedded: false, url: config.databaseUrl }, options.yes ?? false);
  const db = await openDatabase(config, log, { command: "reset()", wait: options.wait });
  let release = async () => {};
  let unmark = () => {};
  try {
    release = await acquireWriterLock(db, { command: "reset()", wait: options.wait, log });
    const api = createClerkApi(config, log, { allowProduction: options.allowProduction });
    unmark = markResetUnderWay(config.sidecarDir);
    return await runReset(
      { config, db, api, log },
      { yes: options.yes ?? false, forceInstance: options.forceInstance ?? false, keepPrevious: options.keepPrevious ?? true, onStep: options.onStep },
    );
  } finally {
    unmark();
    await release();
    await db.close();
  }
}

/** Switches back to the database the last reset replaced (`clerk-resync reset --undo`). */
export async function undoLastReset(options: ApiOptions & { wait?: boolean } = {}): Promise<UndoResult> {
  const { config, log } = await apiContext(options);
  const db = await openDatabase(config, log, { command: "reset --undo", wait: options.wait });
  try {
    const release = await acquireWriterLock(db, { command: "reset --undo", wait: options.wait, log });
    try {
      return await undoReset(db);
    } finally {
      await release();
    }
  } finally {
    await db.close();
  }
}

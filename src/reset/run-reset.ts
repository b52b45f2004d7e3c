import type { ClerkApi } from "../clerk/client.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { runPrismaCliOrThrow } from "../db/prisma-cli.ts";
import { errorMessage, StepError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { writeSidecarFile } from "../sidecar/files.ts";
import { SIDECAR_FORMAT, SIDECAR_VERSION, type Sidecar } from "../sidecar/format.ts";
import { countEntries, readOrgLocalData } from "../sidecar/read-org-local-data.ts";
import { restoreSidecar, type RestoreReport } from "../sidecar/restore.ts";
import type { ResyncReport } from "../sync/report.ts";
import { defaultResyncOptions, runResync } from "../sync/resync.ts";
import { countTables, isMigrated, type TableCounts } from "./counts.ts";
import { preflight } from "./preflight.ts";

export interface ResetOptions {
  yes: boolean;
  forceInstance: boolean;
  onStep?: (step: string) => void;
}

export interface ResetReport {
  backup: string;
  instanceId: string;
  before: TableCounts;
  after: TableCounts;
  resync: ResyncReport;
  restore: RestoreReport;
  /** Org-local rows after = before, less what belonged to organizations Clerk no longer has. */
  verified: boolean;
  durationMs: number;
}

/**
 * preflight → sidecar backup (re-read and validated) → `prisma migrate reset --force` (seeds) →
 * resync → restore → verify. Nothing is touched until preflight and backup succeeded; a failure
 * after the reset names the command that finishes the job, and the sidecar stays on disk.
 */
export async function runReset(deps: { config: Config; db: Database; api: ClerkApi; log: Logger }, options: ResetOptions): Promise<ResetReport> {
  const started = performance.now();
  const { config, db, api, log } = deps;
  const step = (s: string) => {
    log.info(s);
    options.onStep?.(s);
  };

  step("preflight: Clerk, database, instance");
  const { instanceId, before } = await preflight(db, api, options);

  step("backing up org-local data to the sidecar");
  // A database never migrated has no org-local data: the sidecar is then empty, but still written.
  const sidecar = (await isMigrated(db.pool))
    ? await readOrgLocalData(db.prisma, { reason: "reset", clerkInstanceId: instanceId })
    : emptySidecar(instanceId);
  const backup = writeSidecarFile(sidecar, { dir: config.sidecarDir, latest: true });
  log.info({ backup, ...countEntries(sidecar) }, "sidecar written and validated");

  const finish = (from: "migrate" | "resync" | "restore") =>
    [from === "migrate" ? "pnpm db:migrate && pnpm db:seed && " : "", from !== "restore" ? "pnpm clerk:resync && " : "", `pnpm db:restore ${backup}`].join("");

  step("resetting the database (prisma migrate reset --force, then seed)");
  await runPrismaCliOrThrow(["migrate", "reset", "--force", "--skip-generate"], {
    databaseUrl: db.url,
    cwd: config.rootDir,
    context: `org-local data is safe in ${backup}`,
    nextStep: finish("migrate"),
  });

  step("resyncing users, organizations and memberships from Clerk");
  let resync: ResyncReport;
  try {
    resync = (await runResync({ db, api, log }, defaultResyncOptions(config.sidecarDir, config.mirrorPrivateMetadata))).report;
  } catch (err) {
    throw new StepError(`Resync after the reset failed: ${errorMessage(err)}. Org-local data is safe in ${backup}.`, finish("resync"), { cause: err });
  }

  step("restoring org-local data from the sidecar");
  let restore: RestoreReport;
  try {
    restore = await restoreSidecar(db.prisma, sidecar);
  } catch (err) {
    throw new StepError(`Restore failed: ${errorMessage(err)}. Org-local data is safe in ${backup}.`, finish("restore"), { cause: err });
  }

  const after = await countTables(db.pool);
  const lost = sidecar.organizations.filter((o) => restore.missingOrganizations.includes(o.id));
  const unknownServices = restore.unknownServers.length;
  const verified =
    after.customPrompts === before.customPrompts - lost.reduce((n, o) => n + o.prompts.length, 0) &&
    after.customResources === before.customResources - lost.reduce((n, o) => n + o.resources.length, 0) &&
    after.services === before.services - lost.reduce((n, o) => n + o.services.length, 0) - unknownServices;
  return { backup, instanceId, before, after, resync, restore, verified, durationMs: Math.round(performance.now() - started) };
}

function emptySidecar(instanceId: string): Sidecar {
  return { format: SIDECAR_FORMAT, version: SIDECAR_VERSION, createdAt: new Date().toISOString(), clerkInstanceId: instanceId, reason: "reset", strippedSecrets: [], organizations: [] };
}

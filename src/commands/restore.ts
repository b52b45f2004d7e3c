import path from "node:path";
import { parseArgs } from "node:util";
import { createClerkApi } from "../clerk/from-config.ts";
import { resolveUserPath } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { readSyncedInstance } from "../db/sync-state.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { EXIT, SafetyError } from "../errors.ts";
import { readJournal } from "../reset/journal.ts";
import { finishInterruptedReset } from "../reset/run-reset.ts";
import { LATEST_BACKUP, readSidecarFile } from "../sidecar/files.ts";
import { readLocalTables } from "../sidecar/local-tables.ts";
import { formatRestore, restoreSummary } from "../sidecar/report.ts";
import { checkSidecarKeys, restoreSidecar } from "../sidecar/restore.ts";
import { readTableClasses } from "../sidecar/table-config.ts";
import type { Command } from "./context.ts";

export const restoreCommand: Command = {
  summary: "Restore local data from a sidecar file (default: the latest backup); idempotent",
  usage: "db:restore [FILE] [--force-instance]",
  async run(ctx, args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { "force-instance": { type: "boolean", default: false } } });
    const file = positionals[0] ? resolveUserPath(positionals[0]) : path.join(ctx.config.sidecarDir, LATEST_BACKUP);
    // Validate before opening the database: a bad file never touches it.
    const sidecar = readSidecarFile(file);
    const db = await openDatabase(ctx.config, ctx.log, { command: "db:restore", needsSchema: true });
    let release: (() => Promise<void>) | undefined;
    try {
      // A restore writes (and may finish an interrupted reset): never beside a reset or resync.
      release = await acquireWriterLock(db, { command: "db:restore", log: ctx.log });
      if (readJournal(ctx.config.sidecarDir)) {
        await finishInterruptedReset({ config: ctx.config, db, api: createClerkApi(ctx.config, ctx.log), log: ctx.log }, (s) => ctx.out.progress(s));
        ctx.out.progressDone();
      }
      const tables = await readLocalTables(db.pool, readTableClasses(ctx.config.rootDir));
      checkSidecarKeys(sidecar, tables, file);
      const synced = await readSyncedInstance(db.pool);
      if (sidecar.clerkInstanceId && synced && synced.instanceId !== sidecar.clerkInstanceId && !values["force-instance"]) {
        throw new SafetyError(`${file} holds data of Clerk instance ${sidecar.clerkInstanceId}, but this database is synced from ${synced.instanceId}; nothing was restored (--force-instance overrides)`);
      }
      const report = await restoreSidecar(db.pool, sidecar, tables);
      ctx.out.result({ file, ...restoreSummary(report) });
      ctx.out.line(formatRestore(file, report));
      return EXIT.ok;
    } finally {
      ctx.out.progressDone();
      await release?.();
      await db.close();
    }
  },
};

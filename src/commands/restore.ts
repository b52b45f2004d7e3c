import path from "node:path";
import { createClerkApi } from "../clerk/from-config.ts";
import { resolveUserPath } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { assertSyncedFrom } from "../db/sync-state.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { EXIT } from "../errors.ts";
import { readJournal } from "../reset/journal.ts";
import { finishInterruptedReset } from "../reset/run-reset.ts";
import { LATEST_BACKUP, readSidecarFile } from "../sidecar/files.ts";
import { readLocalTables } from "../sidecar/local-tables.ts";
import { formatRestore, restoreSummary } from "../sidecar/report.ts";
import { checkSidecarKeys, restoreSidecar } from "../sidecar/restore.ts";
import { readTableClasses } from "../sidecar/table-config.ts";
import { defineCommand } from "./context.ts";

export const restoreCommand = defineCommand({
  spec: {
    script: "pnpm db:restore",
    summary: "Restore local data from a sidecar file (default: the latest backup); idempotent",
    positional: { name: "FILE", description: "The sidecar to restore (default: prisma/backups/latest-backup.json)" },
    flags: { "force-instance": { type: "boolean", description: "Restore a file written from another Clerk instance" } },
    example: "pnpm db:restore prisma/sidecar/team.json",
  },
  async run(ctx, { values, positionals }) {
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
      if (sidecar.clerkInstanceId) {
        await assertSyncedFrom(db.pool, sidecar.clerkInstanceId, { force: values["force-instance"], source: file, remedy: "nothing was restored (--force-instance restores it anyway)." });
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
});

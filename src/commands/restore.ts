import { resolveUserPath } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { databaseIdentity } from "../db/identity.ts";
import { assertSyncedFrom } from "../mirror/sync-state.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { EXIT } from "../errors.ts";
import { readLatestBackup, readSidecarFile } from "../sidecar/files.ts";
import { readLocalTables } from "../sidecar/local-tables.ts";
import { formatRestore, restoreSummary } from "../sidecar/report.ts";
import { checkSidecar, restoreSidecar } from "../sidecar/restore.ts";
import { defineCommand } from "./context.ts";

export const restoreCommand = defineCommand({
  spec: {
    positional: { name: "FILE", description: "The sidecar to restore (default: this database's latest backup)" },
    flags: { "force-instance": { type: "boolean", description: "Restore a file written from another Clerk instance" } },
    example: "clerk-resync restore prisma/sidecar/team.json",
  },
  async run(ctx, { values, positionals }) {
    // Validate before opening the database: a bad file never touches it.
    const { file, sidecar } = positionals[0]
      ? { file: resolveUserPath(positionals[0]), sidecar: readSidecarFile(resolveUserPath(positionals[0])) }
      : readLatestBackup(ctx.config.sidecarDir, databaseIdentity(ctx.config));
    const db = await openDatabase(ctx.config, ctx.log, { command: "db:restore", needsSchema: true });
    let release: (() => Promise<void>) | undefined;
    try {
      // A restore writes: never beside a reset or resync.
      release = await acquireWriterLock(db, { command: "db:restore", log: ctx.log });
      const tables = await readLocalTables(db.pool, ctx.config);
      checkSidecar(sidecar, tables, file);
      if (sidecar.clerkInstanceId) {
        await assertSyncedFrom(db.pool, sidecar.clerkInstanceId, { force: values["force-instance"], source: file, remedy: "nothing was restored (--force-instance restores it anyway)." });
      }
      const report = await restoreSidecar(db.pool, sidecar, tables);
      ctx.out.result({ file, ...restoreSummary(report) });
      ctx.out.line(formatRestore(file, report));
      return EXIT.ok;
    } finally {
      await release?.();
      await db.close();
    }
  },
});

import path from "node:path";
import { openDatabase } from "../db/database.ts";
import { assertSyncedFrom } from "../db/sync-state.ts";
import { EXIT } from "../errors.ts";
import { LATEST_BACKUP, readSidecarFile } from "../sidecar/files.ts";
import { formatRestore } from "../sidecar/restore-report.ts";
import { restoreSidecar } from "../sidecar/restore.ts";
import { defineCommand } from "./context.ts";

export const restoreCommand = defineCommand({
  spec: {
    script: "pnpm db:restore",
    summary: "Restore org-local data from a sidecar file (default: the latest backup); idempotent",
    positional: { name: "FILE", description: "The sidecar to restore (default: prisma/backups/latest-backup.json)" },
    flags: { "force-instance": { type: "boolean", description: "Restore a file written from another Clerk instance" } },
    example: "pnpm db:restore prisma/sidecar/team.json",
  },
  async run(ctx, { values, positionals }) {
    const file = path.resolve(positionals[0] ?? path.join(ctx.config.sidecarDir, LATEST_BACKUP));
    // Validate before opening the database: a bad file never touches it.
    const sidecar = readSidecarFile(file);
    const db = await openDatabase(ctx.config, ctx.log);
    try {
      if (sidecar.clerkInstanceId) {
        await assertSyncedFrom(db.pool, sidecar.clerkInstanceId, { force: values["force-instance"], source: file, remedy: "nothing was restored (--force-instance restores it anyway)." });
      }
      const report = await restoreSidecar(db.prisma, sidecar);
      ctx.out.result({ file, ...report });
      ctx.out.line(formatRestore(file, report));
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});

import { resolveUserPath } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { databaseIdentity } from "../db/identity.ts";
import { readSyncedInstance } from "../mirror/sync-state.ts";
import { EXIT } from "../errors.ts";
import { inSnapshot } from "../db/transaction.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { writeSidecarFile } from "../sidecar/files.ts";
import { countRows, totalRows } from "../sidecar/format.ts";
import { readLocalTables } from "../sidecar/local-tables.ts";
import { readLocalData } from "../sidecar/read-local-data.ts";
import { shareableSidecar } from "../sidecar/share.ts";
import { defineCommand } from "./context.ts";

export const backupCommand = defineCommand({
  spec: {
    flags: {
      out: { type: "string", value: "FILE", description: "Write exactly this file (default: prisma/backups/backup-<iso>.json, also this database's latest backup)" },
      share: { type: "boolean", description: "Leave secrets out, for committing (default file: the team sidecar)" },
    },
    example: "clerk-resync backup --share",
  },
  async run(ctx, { values }) {
    const db = await openDatabase(ctx.config, ctx.log, { command: "db:backup", needsSchema: true });
    let release = async () => {};
    try {
      // Under the writer lock, so no reset starts wiping while the tables are read.
      release = await acquireWriterLock(db, { command: "db:backup", log: ctx.log });
      const synced = await readSyncedInstance(db.pool);
      const full = await inSnapshot(db.pool, async (client) =>
        readLocalData(client, await readLocalTables(client, ctx.config), { reason: "backup", clerkInstanceId: synced?.instanceId ?? null, whole: !values.share, database: databaseIdentity(ctx.config) }),
      );
      const sidecar = values.share ? shareableSidecar(full) : full;
      const out = (values.out && resolveUserPath(values.out)) || (values.share ? ctx.config.teamSidecar : undefined);
      const file = writeSidecarFile(sidecar, { dir: ctx.config.sidecarDir, out, latest: !out });
      const rows = countRows(sidecar);
      ctx.out.result({ file, shared: values.share, rows, strippedSecrets: sidecar.strippedSecrets });
      const listed = Object.entries(rows).map(([t, n]) => `${t} ${n}`).join(", ");
      ctx.out.line(`Backed up ${totalRows(sidecar)} rows (${listed || "no backed-up tables"}) to ${file}${values.share ? " — for committing" : " (every value kept; the file is private to you, mode 0600)"}`);
      if (sidecar.strippedSecrets.length) ctx.out.line(`Left out ${sidecar.strippedSecrets.length} secret-looking values (re-enter them after a restore): ${sidecar.strippedSecrets.join(", ")}`);
      return EXIT.ok;
    } finally {
      await release();
      await db.close();
    }
  },
});

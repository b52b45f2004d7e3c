import { openDatabase } from "../db/database.ts";
import { readSyncedInstance } from "../db/sync-state.ts";
import { EXIT } from "../errors.ts";
import { writeSidecarFile } from "../sidecar/files.ts";
import { countEntries, readOrgLocalData } from "../sidecar/read-org-local-data.ts";
import { defineCommand } from "./context.ts";

export const backupCommand = defineCommand({
  spec: {
    script: "pnpm db:backup",
    summary: "Write org-local data (custom prompts, resources, service enablements) to a sidecar file",
    flags: { out: { type: "string", value: "FILE", description: "Write exactly this file (default: prisma/backups/backup-<iso>.json and latest-backup.json)" } },
    example: "pnpm db:backup --out prisma/sidecar/team.json",
  },
  async run(ctx, { values }) {
    const db = await openDatabase(ctx.config, ctx.log);
    try {
      const synced = await readSyncedInstance(db.pool);
      const sidecar = await readOrgLocalData(db.prisma, { reason: "backup", clerkInstanceId: synced?.instanceId ?? null });
      const file = writeSidecarFile(sidecar, { dir: ctx.config.sidecarDir, out: values.out, latest: !values.out });
      const counts = countEntries(sidecar);
      ctx.out.result({ file, ...counts, strippedSecrets: sidecar.strippedSecrets });
      ctx.out.line(`Backed up ${counts.prompts} prompts, ${counts.resources} resources and ${counts.services} services of ${counts.organizations} organizations to ${file}`);
      if (sidecar.strippedSecrets.length) ctx.out.line(`Left out ${sidecar.strippedSecrets.length} secret-looking fields (re-enter them after a restore): ${sidecar.strippedSecrets.join(", ")}`);
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});

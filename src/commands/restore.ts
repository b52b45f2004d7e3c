import path from "node:path";
import { openDatabase } from "../db/database.ts";
import { readSyncedInstance } from "../db/sync-state.ts";
import { EXIT, SafetyError } from "../errors.ts";
import { LATEST_BACKUP, readSidecarFile } from "../sidecar/files.ts";
import { restoreSidecar, type RestoreReport } from "../sidecar/restore.ts";
import { defineCommand } from "./context.ts";

export function formatRestore(file: string, r: RestoreReport): string {
  const c = (x: { created: number; updated: number; unchanged: number }) => `${x.created} created, ${x.updated} updated, ${x.unchanged} unchanged`;
  const lines = [
    `Restored ${r.organizationsRestored} organizations from ${file}`,
    `  prompts:   ${c(r.prompts)}`,
    `  resources: ${c(r.resources)}`,
    `  services:  ${c(r.services)}`,
  ];
  if (r.missingOrganizations.length) {
    lines.push(`Not restored — these organizations are not in the database (gone from Clerk?); their entries stay in the file: ${r.missingOrganizations.join(", ")}`);
  }
  for (const u of r.unknownServers) lines.push(`Not restored — MCP server "${u.mcpServer}" (organization ${u.organizationId}) is not seeded; run pnpm db:seed, then restore again`);
  return lines.join("\n");
}

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
      const synced = await readSyncedInstance(db.pool);
      if (sidecar.clerkInstanceId && synced && synced.instanceId !== sidecar.clerkInstanceId && !values["force-instance"]) {
        throw new SafetyError(`${file} holds data of Clerk instance ${sidecar.clerkInstanceId}, but this database is synced from ${synced.instanceId}; nothing was restored (--force-instance overrides)`);
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

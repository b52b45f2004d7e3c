import { existsSync } from "node:fs";
import path from "node:path";
import { createClerkApi } from "../clerk/from-config.ts";
import { openDatabase } from "../db/database.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { migrateAndSeed } from "../db/migrate-and-seed.ts";
import { EXIT } from "../errors.ts";
import { readSidecarFile } from "../sidecar/files.ts";
import { readLocalTables } from "../sidecar/local-tables.ts";
import { formatRestore, restoreSummary } from "../sidecar/report.ts";
import { checkSidecar, restoreSidecar } from "../sidecar/restore.ts";
import { findUnsavedRecords, unsavedRecordsError } from "../reset/unsaved-app-columns.ts";
import { formatReport } from "../sync/report.ts";
import { defaultResyncOptions, runResync } from "../sync/resync.ts";
import { defineCommand } from "./context.ts";

export const bootstrapCommand = defineCommand({
  spec: {
    flags: { "allow-production": { type: "boolean", description: "Accept a production key (sk_live_…)" } },
    example: "clerk-resync bootstrap",
  },
  async run(ctx, { values }) {
    const api = createClerkApi(ctx.config, ctx.log, { allowProduction: values["allow-production"] });
    // The team's committed org-local setup, restored for every newcomer.
    const teamFile = ctx.config.teamSidecar;
    const shown = path.relative(ctx.config.rootDir, teamFile);
    // Validate the team file up front so a broken one stops us before anything is written.
    const team = existsSync(teamFile) ? readSidecarFile(teamFile) : undefined;
    const db = await openDatabase(ctx.config, ctx.log, { command: "bootstrap" });
    let release = async () => {};
    try {
      release = await acquireWriterLock(db, { command: "bootstrap", log: ctx.log });
      ctx.out.progress("applying migrations and seeding defaults");
      await migrateAndSeed(db, ctx.config.rootDir);
      // A required app column (NOT NULL, no default) has no value for Clerk records this database never saw.
      const unsaved = await findUnsavedRecords(db.pool, api, await readLocalTables(db.pool, ctx.config));
      if (unsaved.length) throw unsavedRecordsError(unsaved, "bootstrap", "The database is migrated and seeded; nothing was synced.");
      ctx.out.progress("resyncing from Clerk");
      const { report } = await runResync({ db, api, log: ctx.log }, defaultResyncOptions(ctx.config.sidecarDir, ctx.config.mirrorPrivateMetadata, ctx.config.mirror));
      ctx.out.progressDone();
      let restore;
      if (team) {
        const tables = await readLocalTables(db.pool, ctx.config);
        checkSidecar(team, tables, teamFile);
        restore = await restoreSidecar(db.pool, team, tables);
      }
      ctx.out.result({ resync: report, teamSidecar: team ? teamFile : null, restore: restore ? restoreSummary(restore) : null, reenter: team?.strippedSecrets ?? [] });
      ctx.out.line(formatReport(report, { pruned: true }));
      ctx.out.line("");
      ctx.out.line(restore ? formatRestore(teamFile, restore) : `No team sidecar at ${shown}; local data starts empty (\`pnpm db:backup --share\` writes yours for committing).`);
      if (team?.strippedSecrets.length) ctx.out.line(`\nThe team sidecar leaves out ${team.strippedSecrets.length} secret values; re-enter them: ${team.strippedSecrets.join(", ")}`);
      return EXIT.ok;
    } finally {
      ctx.out.progressDone();
      await release();
      await db.close();
    }
  },
});

import { createClerkApi } from "../clerk/from-config.ts";
import { openDatabase } from "../db/database.ts";
import { EXIT } from "../errors.ts";
import { hasDrift } from "../sync/plan.ts";
import { formatReport } from "../sync/report.ts";
import { runResync } from "../sync/resync.ts";
import { defineCommand } from "./context.ts";

export const resyncCommand = defineCommand({
  spec: {
    script: "pnpm clerk:resync",
    summary: "Make users, organizations and memberships match Clerk (plan, then apply)",
    flags: {
      "dry-run": { type: "boolean", description: "Print the plan; write nothing" },
      check: { type: "boolean", description: "Write nothing; exit 0 in sync, 2 on drift, 1 on error" },
      "no-prune": { type: "boolean", description: "Keep rows Clerk no longer has" },
      "allow-mass-delete": { type: "boolean", description: "Go on although over half of the users or organizations would be deleted" },
      "force-instance": { type: "boolean", description: "Sync although the database was synced from another Clerk instance" },
      "allow-production": { type: "boolean", description: "Accept a production key (sk_live_…)" },
    },
    example: "pnpm clerk:resync --dry-run",
  },
  async run(ctx, { values }) {
    const check = values.check;
    const api = createClerkApi(ctx.config, ctx.log, { allowProduction: values["allow-production"] });
    const db = await openDatabase(ctx.config, ctx.log);
    try {
      const { report, plan } = await runResync(
        { db, api, log: ctx.log },
        {
          dryRun: values["dry-run"] || check,
          prune: !values["no-prune"],
          allowMassDelete: values["allow-mass-delete"],
          forceInstance: values["force-instance"],
          sidecarDir: ctx.config.sidecarDir,
          onFetchProgress: (p) => ctx.out.progress(`fetching from Clerk: ${p.users}/${p.usersTotal} users, ${p.organizations} organizations, ${p.memberships} memberships`),
          onApplyProgress: (done, total) => ctx.out.progress(`applying: ${done}/${total} rows`),
        },
      );
      ctx.out.progressDone();
      ctx.out.result(report);
      ctx.out.line(formatReport(report, { pruned: !values["no-prune"] }));
      if (check) {
        const drift = hasDrift(plan);
        ctx.out.line(drift ? "\nDrift found: run `pnpm clerk:resync` to repair it." : "\nIn sync.");
        return drift ? EXIT.drift : EXIT.ok;
      }
      return EXIT.ok;
    } finally {
      ctx.out.progressDone();
      await db.close();
    }
  },
});

import { parseArgs } from "node:util";
import { createClerkApi } from "../clerk/from-config.ts";
import { openDatabase } from "../db/database.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { EXIT } from "../errors.ts";
import { hasDrift } from "../sync/plan.ts";
import { formatReport, reportJsonChunks } from "../sync/report.ts";
import { runResync } from "../sync/resync.ts";
import { finishInterruptedReset } from "../reset/run-reset.ts";
import type { Command } from "./context.ts";

export const resyncCommand: Command = {
  summary: "Make users, organizations and memberships match Clerk (plan, then apply)",
  usage: "clerk:resync [--dry-run] [--check] [--no-prune] [--allow-mass-delete] [--force-instance] [--allow-production] [--wait] [--json]",
  async run(ctx, args) {
    const { values } = parseArgs({
      args,
      options: {
        "dry-run": { type: "boolean", default: false },
        check: { type: "boolean", default: false },
        "no-prune": { type: "boolean", default: false },
        "allow-mass-delete": { type: "boolean", default: false },
        "force-instance": { type: "boolean", default: false },
        "allow-production": { type: "boolean", default: false },
        wait: { type: "boolean", default: false },
      },
    });
    const check = values.check;
    const api = createClerkApi(ctx.config, ctx.log, { allowProduction: values["allow-production"] });
    const writes = !(values["dry-run"] || check);
    const db = await openDatabase(ctx.config, ctx.log, { command: "clerk:resync", wait: values.wait, needsSchema: true });
    // Only a writing run takes the writer lock: a dry run or check reads.
    let release = async () => {};
    try {
      if (writes) release = await acquireWriterLock(db, { command: "clerk:resync", wait: values.wait, log: ctx.log });
      // A reset left unfinished is finished first: resyncing alone would leave its local data unrestored.
      await finishInterruptedReset({ config: ctx.config, db, api, log: ctx.log }, (s) => ctx.out.progress(s));
      const { report, plan, changes } = await runResync(
        { db, api, log: ctx.log },
        {
          dryRun: values["dry-run"] || check,
          prune: !values["no-prune"],
          allowMassDelete: values["allow-mass-delete"],
          forceInstance: values["force-instance"],
          sidecarDir: ctx.config.sidecarDir,
          mirrorPrivateMetadata: ctx.config.mirrorPrivateMetadata,
          onFetchProgress: (p) => ctx.out.progress(`fetching from Clerk: ${p.users}/${p.usersTotal} users, ${p.organizations} organizations, ${p.memberships} memberships`),
          onApplyProgress: (done, total) => ctx.out.progress(`applying: ${done}/${total} rows`),
        },
      );
      ctx.out.progressDone();
      ctx.out.resultChunks(reportJsonChunks(report, changes()));
      ctx.out.line(formatReport(report, { pruned: !values["no-prune"], changes }));
      if (check) {
        const drift = hasDrift(plan);
        const fix = report.refusal ? "see why above, then `pnpm clerk:resync --allow-mass-delete` if Clerk really lost them" : "run `pnpm clerk:resync` to repair it";
        ctx.out.line(drift ? `\nDrift found: ${fix}.` : "\nIn sync.");
        return drift ? EXIT.drift : EXIT.ok;
      }
      return EXIT.ok;
    } finally {
      ctx.out.progressDone();
      await release();
      await db.close();
    }
  },
};

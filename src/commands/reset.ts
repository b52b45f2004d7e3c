import { createClerkApi } from "../clerk/from-config.ts";
import { openDatabase } from "../db/database.ts";
import { assertResettable } from "../reset/local-database.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { EXIT } from "../errors.ts";
import { formatResetReport, resetResult } from "../reset/report.ts";
import { runReset } from "../reset/run-reset.ts";
import { defineCommand, type CommandContext } from "./context.ts";

async function resetWith(ctx: CommandContext, flags: { yes: boolean; forceInstance: boolean; allowProduction: boolean; wait: boolean }): Promise<number> {
  const api = createClerkApi(ctx.config, ctx.log, { allowProduction: flags.allowProduction });
  // Refuse a database that is not plainly local before even connecting to it.
  if (ctx.config.databaseUrl) assertResettable({ embedded: false, url: ctx.config.databaseUrl }, flags.yes);
  const db = await openDatabase(ctx.config, ctx.log, { command: "db:reset", wait: flags.wait });
  let release = async () => {};
  try {
    release = await acquireWriterLock(db, { command: "db:reset", wait: flags.wait, log: ctx.log });
    const report = await runReset({ config: ctx.config, db, api, log: ctx.log }, { yes: flags.yes, forceInstance: flags.forceInstance, onStep: (s) => ctx.out.progress(s) });
    ctx.out.progressDone();
    ctx.out.result(resetResult(report));
    ctx.out.line(formatResetReport(report));
    return report.verified ? EXIT.ok : EXIT.failure;
  } finally {
    ctx.out.progressDone();
    await release();
    await db.close();
  }
}

export const resetCommand = defineCommand({
  spec: {
    script: "pnpm db:reset",
    summary: "Preflight, sidecar backup, prisma migrate reset, seed, resync from Clerk, restore, verify",
    flags: {
      yes: { type: "boolean", description: "Allow a database on another host or named like prod/staging" },
      "force-instance": { type: "boolean", description: "Reset although the database was synced from another Clerk instance" },
      "allow-production": { type: "boolean", description: "Accept a production key (sk_live_…)" },
      wait: { type: "boolean", description: "Wait for another process using the database instead of refusing" },
    },
    example: "pnpm db:reset",
  },
  async run(ctx, { values }) {
    return resetWith(ctx, { yes: values.yes, forceInstance: values["force-instance"], allowProduction: values["allow-production"], wait: values.wait });
  },
});

import { parseArgs } from "node:util";
import { createClerkApi } from "../clerk/from-config.ts";
import { openDatabase } from "../db/database.ts";
import { assertResettable } from "../reset/local-database.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { EXIT } from "../errors.ts";
import { formatTable, type Output } from "../output.ts";
import type { ResetReport } from "../reset/run-reset.ts";
import { runReset } from "../reset/run-reset.ts";
import { formatReport } from "../sync/report.ts";
import { formatRestore, formatVerification, restoreSummary } from "../sidecar/report.ts";
import type { Command, CommandContext } from "./context.ts";

export function printResetReport(out: Output, r: ResetReport): void {
  out.result({ ...r, restore: restoreSummary(r.restore) });
  const rows = (["users", "organizations", "memberships"] as const).map((k) => [k, r.before[k], r.after[k]] as [string, number, number]);
  if (r.resumed) out.line(`Finished the db:reset that was interrupted (from ${r.backup}).`);
  out.line("");
  out.line(formatReport(r.resync, { pruned: true }));
  out.line("");
  out.line(formatRestore(r.backup, r.restore));
  out.line("");
  out.line(formatTable(["Clerk rows", "before", "after"], rows));
  out.line("");
  out.line(formatVerification(r.tables));
  out.line("");
  const different = r.tables.filter((t) => !t.identical).map((t) => `${t.table} (expected ${t.expected} rows, found ${t.actual})`);
  out.line(
    r.verified
      ? `Reset complete in ${(r.durationMs / 1000).toFixed(1)} s; every backed-up table verified (${r.tables.length} tables). Sidecar: ${r.backup}`
      : `Reset finished, but restored tables differ from the backup: ${different.join(", ")}. The backup is ${r.backup}; the reset journal is kept until this is resolved.`,
  );
}

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
    printResetReport(ctx.out, report);
    return report.verified ? EXIT.ok : EXIT.failure;
  } finally {
    ctx.out.progressDone();
    await release();
    await db.close();
  }
}

export const resetCommand: Command = {
  summary: "Preflight, sidecar backup, prisma migrate reset, seed, resync from Clerk, restore, verify",
  usage: "db:reset [--yes] [--force-instance] [--allow-production] [--wait]",
  async run(ctx, args) {
    const { values } = parseArgs({
      args,
      options: { yes: { type: "boolean", default: false }, "force-instance": { type: "boolean", default: false }, "allow-production": { type: "boolean", default: false }, wait: { type: "boolean", default: false } },
    });
    return resetWith(ctx, { yes: values.yes, forceInstance: values["force-instance"], allowProduction: values["allow-production"], wait: values.wait });
  },
};

import { createClerkApi } from "../clerk/from-config.ts";
import { openDatabase } from "../db/database.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { EXIT } from "../errors.ts";
import { assertResettable } from "../reset/local-database.ts";
import { formatResetReport, formatUndo, resetResult } from "../reset/report.ts";
import { RESET_STEPS, runReset, undoReset } from "../reset/run-reset.ts";
import { markResetUnderWay } from "../reset/under-way.ts";
import { defineCommand, type CommandContext } from "./context.ts";

interface ResetFlags {
  yes: boolean;
  forceInstance: boolean;
  allowProduction: boolean;
  wait: boolean;
  undo: boolean;
  keep: boolean;
}

async function resetWith(ctx: CommandContext, flags: ResetFlags): Promise<number> {
  // Refuse a database that is not plainly local before even connecting to it.
  if (ctx.config.databaseUrl) assertResettable({ embedded: false, url: ctx.config.databaseUrl }, flags.yes);
  const db = await openDatabase(ctx.config, ctx.log, { command: "db:reset", wait: flags.wait });
  let release = async () => {};
  let unmark = () => {};
  try {
    release = await acquireWriterLock(db, { command: "db:reset", wait: flags.wait, log: ctx.log });
    if (flags.undo) {
      const undone = await undoReset(db);
      ctx.out.result({ undo: true, ...undone });
      ctx.out.line(formatUndo(undone));
      return EXIT.ok;
    }
    const api = createClerkApi(ctx.config, ctx.log, { allowProduction: flags.allowProduction });
    unmark = markResetUnderWay(ctx.config.sidecarDir);
    const interrupt = onInterrupt();
    const report = await runReset(
      { config: ctx.config, db, api, log: ctx.log },
      { yes: flags.yes, forceInstance: flags.forceInstance, keepPrevious: flags.keep, onStep: (s) => (interrupt.step(s), ctx.out.progress(s)) },
    ).finally(() => interrupt.done());
    ctx.out.progressDone();
    ctx.out.result(resetResult(report));
    ctx.out.line(formatResetReport(report));
    return EXIT.ok;
  } finally {
    ctx.out.progressDone();
    unmark();
    await release();
    await db.close();
  }
}

/**
 * Ctrl-C or a kill before the switch: one line, and out. The live database was never written, and
 * the next reset drops the unfinished new one, so there is nothing to resume. During the switch
 * (one transaction, or two journaled renames) the signal is ignored: it ends in moments, with its report.
 */
function onInterrupt() {
  let step = "starting";
  const exit = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nerror: db:reset interrupted (${signal}) while ${step}: the live database was not touched; nothing to resume (the next db:reset drops the unfinished new database).\n`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  const handler = (signal: NodeJS.Signals) => {
    if (step !== RESET_STEPS.switch) exit(signal);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    step: (s: string) => (step = s),
    done() {
      process.removeListener("SIGINT", handler);
      process.removeListener("SIGTERM", handler);
    },
  };
}

export const resetCommand = defineCommand({
  spec: {
    flags: {
      yes: { type: "boolean", description: "Allow a database on another host or named like prod/staging" },
      undo: { type: "boolean", description: "Switch back to the database as it was before the last reset (once)" },
      "no-keep": { type: "boolean", description: "Drop the previous database after the switch instead of keeping it for --undo" },
      "force-instance": { type: "boolean", description: "Reset although the database was synced from another Clerk instance" },
      "allow-production": { type: "boolean", description: "Accept a production key (sk_live_…)" },
      wait: { type: "boolean", description: "Wait for another process using the database instead of refusing" },
    },
    example: "clerk-resync reset",
  },
  async run(ctx, { values }) {
    return resetWith(ctx, {
      yes: values.yes,
      forceInstance: values["force-instance"],
      allowProduction: values["allow-production"],
      wait: values.wait,
      undo: values.undo,
      keep: !values["no-keep"],
    });
  },
});

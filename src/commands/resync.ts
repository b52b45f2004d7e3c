import { createClerkApi } from "../clerk/from-config.ts";
import { openDatabase } from "../db/database.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { EXIT, UsageError } from "../errors.ts";
import { hasDrift } from "../sync/plan.ts";
import { formatMirror } from "../mirror/describe.ts";
import { formatReport, reportJsonChunks } from "../sync/report.ts";
import { runResync } from "../sync/resync.ts";
import { defineCommand, type CommandContext } from "./context.ts";
import { watchUntilStopped } from "../watch/watch-until-stopped.ts";
import { stopOnSignals } from "../stop-signals.ts";

export const resyncCommand = defineCommand({
  spec: {
    flags: {
      "dry-run": { type: "boolean", description: "Print the plan; write nothing" },
      check: { type: "boolean", description: "Write nothing; exit 0 in sync, 2 on drift, 1 on error" },
      "no-prune": { type: "boolean", description: "Keep rows Clerk no longer has" },
      "allow-mass-delete": { type: "boolean", description: "Go on although over half of the users or organizations would be deleted" },
      "force-instance": { type: "boolean", description: "Sync although the database was synced from another Clerk instance" },
      "allow-production": { type: "boolean", description: "Accept a production key (sk_live_…)" },
      wait: { type: "boolean", description: "Wait for another process using the database instead of refusing" },
      watch: { type: "boolean", description: "Keep the database in sync until Ctrl-C (changed users each tick, a full resync every few)" },
      interval: { type: "string", value: "DURATION", default: "10s", description: "With --watch: time between ticks (10s, 500ms, 2m)" },
      "full-every": { type: "integer", value: "N", default: 6, min: 1, description: "With --watch: a full resync every N ticks" },
    },
    example: "clerk-resync resync --dry-run",
  },
  async run(ctx, { values }) {
    if (values.watch) return watchClerk(ctx, { intervalMs: parseDuration(values.interval, "--interval"), fullEvery: values["full-every"], allowProduction: values["allow-production"] });
    const check = values.check;
    const api = createClerkApi(ctx.config, ctx.log, { allowProduction: values["allow-production"] });
    const writes = !(values["dry-run"] || check);
    // Clerk's first round trip overlaps the database's start (the embedded one takes ~0.5 s); a
    // failure surfaces where the resync asks again.
    api.fetchInstanceId().catch(() => {});
    const db = await openDatabase(ctx.config, ctx.log, { command: "clerk:resync", wait: values.wait, needsSchema: true });
    // Only a writing run takes the writer lock: a dry run or check reads.
    let release = async () => {};
    try {
      if (writes) release = await acquireWriterLock(db, { command: "clerk:resync", wait: values.wait, log: ctx.log });
      const { report, plan, changes } = await runResync(
        { db, api, log: ctx.log },
        {
          dryRun: values["dry-run"] || check,
          prune: !values["no-prune"],
          allowMassDelete: values["allow-mass-delete"],
          forceInstance: values["force-instance"],
          sidecarDir: ctx.config.sidecarDir,
          mirrorPrivateMetadata: ctx.config.mirrorPrivateMetadata,
          mirror: ctx.config.mirror,
          onFetchProgress: (p) => ctx.out.progress(`fetching from Clerk: ${p.users}/${p.usersTotal} users, ${p.organizations} organizations, ${p.memberships} memberships${p.rowsWritten ? `; ${p.rowsWritten} rows written` : ""}`),
          onApplyProgress: (done, total) => ctx.out.progress(`applying: ${done}/${total} rows`),
        },
      );
      ctx.out.progressDone();
      ctx.out.resultChunks(reportJsonChunks(report, changes()));
      if (values["dry-run"]) ctx.out.line(`${formatMirror(report.mapping)}\n`);
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
});

/** `--watch`: keep the database in step until Ctrl-C; one line per applied change. */
async function watchClerk(ctx: CommandContext, options: { intervalMs: number; fullEvery: number; allowProduction: boolean }): Promise<number> {
  const db = await openDatabase(ctx.config, ctx.log, { command: "clerk:resync --watch", needsSchema: true });
  const stop = stopOnSignals(ctx.log, { what: "stopping after the tick under way" });
  try {
    await watchUntilStopped({ ...ctx, db }, { ...options, signal: stop.signal });
    return EXIT.ok;
  } finally {
    await db.close();
    stop.dispose();
  }
}

/** `10s`, `500ms`, `2m`, or plain seconds. */
function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} must be a duration such as 10s, 500ms or 2m, got "${text}"`);
  const ms = Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1000);
  if (ms < 100) throw new UsageError(`${flag} must be at least 100ms, got "${text}"`);
  return ms;
}

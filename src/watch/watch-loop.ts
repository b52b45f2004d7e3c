// `clerk:resync --watch`: keeps the mirror in step without a tunnel. Each tick reads the users
// changed since the watermark (one request when nothing changed); every `fullEvery` ticks a full
// resync (organizations, memberships, and users deleted in Clerk, which only a full listing shows).
// Every tick takes the single-writer lock, so a watcher and a db:reset never write at once, and a
// tick is applied whole or not at all.
import type { ClerkApi } from "../clerk/client.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { readSyncedInstance } from "../mirror/sync-state.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { errorMessage, SafetyError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { readResetUnderWay } from "../reset/under-way.ts";
import type { Change } from "../sync/changes.ts";
import { defaultResyncOptions, runResync } from "../sync/resync.ts";
import { runUsersTick } from "./users-tick.ts";

export interface WatchOptions {
  intervalMs: number;
  /** A full resync every this many ticks (the first tick is always full). */
  fullEvery: number;
  signal: AbortSignal;
  onChange(change: Change): void;
  /** One line about the watcher's state: waiting, recovered, the budget it uses. */
  onStatus(text: string): void;
  /** After every tick, applied or failed. */
  onTick?(stats: Readonly<WatchStats>): void;
}

export interface WatchStats {
  ticks: number;
  fullTicks: number;
  failedTicks: number;
  changes: number;
}

/** Waits `ms` or until stopped; either way its abort listener goes, so ticks never pile them up. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

export async function watch(deps: { config: Config; db: Database; api: ClerkApi; log: Logger }, options: WatchOptions): Promise<WatchStats> {
  const { config, db, api, log } = deps;
  const stats: WatchStats = { ticks: 0, fullTicks: 0, failedTicks: 0, changes: 0 };
  let failing: string | null = null;
  // The first tick is a quick one when the mirror has a watermark (it survives restarts); without
  // one the quick tick asks for a full resync.
  let sinceFull = 1;
  let instanceChecked = false;
  while (!options.signal.aborted) {
    const started = Date.now();
    try {
      const reset = readResetUnderWay(config.sidecarDir);
      if (reset) {
        // A reset is building the new database; its switch closes this pool's sessions, which reconnect.
        if (failing !== "reset") options.onStatus(`waiting: a db:reset (started ${reset.startedAt}) is building a new database`);
        failing = "reset";
      } else {
        const release = await acquireWriterLock(db, { command: "clerk:resync --watch", wait: true, log });
        try {
          // Once per run: a quick tick trusts the instance the mirror was synced from.
          if (!instanceChecked) instanceChecked = await checkInstanceOnce(db, api);
          const quick = sinceFull < options.fullEvery ? await quickTick(deps) : null;
          const changes = quick ?? (await fullTick(deps));
          for (const c of changes) options.onChange(c);
          stats.changes += changes.length;
          sinceFull = quick ? sinceFull + 1 : 1;
          if (!quick) stats.fullTicks += 1;
        } finally {
          await release();
        }
        if (failing) options.onStatus(`recovered: ${failing === "reset" ? "the reset is done" : "Clerk and the database answer again"}; watching`);
        failing = null;
      }
      stats.ticks += 1;
    } catch (err) {
      stats.failedTicks += 1;
      const why = errorMessage(err);
      // Said once per outage, not once per tick.
      if (failing !== why) options.onStatus(`tick failed, nothing from it was written; retrying every ${Math.round(options.intervalMs / 1000)} s: ${why}`);
      failing = why;
      log.debug({ err }, "watch tick failed");
    }
    options.onTick?.(stats);
    await sleep(Math.max(0, options.intervalMs - (Date.now() - started)), options.signal);
  }
  return stats;
}

/** Users changed since the watermark; null when there is none yet (a full tick is due). */
async function quickTick(deps: { db: Database; api: ClerkApi; config: Config }): Promise<Change[] | null> {
  const synced = await readSyncedInstance(deps.db.pool);
  if (!synced) return null;
  const result = await runUsersTick(deps, { instanceId: synced.instanceId, map: { privateMetadata: deps.config.mirrorPrivateMetadata }, mirror: deps.config.mirror });
  return result.needsFull ? null : result.changes;
}

async function fullTick(deps: { db: Database; api: ClerkApi; log: Logger; config: Config }): Promise<Change[]> {
  const { report, changes } = await runResync(deps, { ...defaultResyncOptions(deps.config.sidecarDir, deps.config.mirrorPrivateMetadata, deps.config.mirror), allOrNothing: true });
  if (report.refusal) throw new Error(report.refusal);
  return [...changes()].filter((c) => c.op !== "keep");
}

/** Users of another Clerk instance must never land in this mirror (ids never carry over). */
async function checkInstanceOnce(db: Database, api: ClerkApi): Promise<boolean> {
  const synced = await readSyncedInstance(db.pool);
  if (!synced) return true;
  const clerk = await api.fetchInstanceId();
  if (clerk !== synced.instanceId) throw new SafetyError(`CLERK_SECRET_KEY is of Clerk instance ${clerk}, but this database is synced from ${synced.instanceId}; not watching (a reset, or --force-instance on a plain resync, moves it)`);
  return true;
}

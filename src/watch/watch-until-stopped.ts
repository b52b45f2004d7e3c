// The watcher as `clerk:resync --watch` and `pnpm dev` run it: its share of the budget, its lines.
import { createClerkApi } from "../clerk/from-config.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../log.ts";
import type { Output } from "../output.ts";
import { formatChangeLine } from "../sync/changes.ts";
import { watch, type WatchStats } from "./watch-loop.ts";

/** The watcher's share of Clerk's request budget: the app using the same key keeps the rest. */
export const WATCH_BUDGET_SHARE = 0.5;

export async function watchUntilStopped(
  deps: { config: Config; db: Database; log: Logger; out: Output },
  options: { intervalMs: number; fullEvery: number; allowProduction?: boolean; signal: AbortSignal },
): Promise<WatchStats> {
  const { config, out, log } = deps;
  const requestsPerWindow = Math.max(1, Math.floor(config.clerk.requestsPerWindow * WATCH_BUDGET_SHARE));
  const api = createClerkApi(config, log, { allowProduction: options.allowProduction, requestsPerWindow });
  const status = (text: string) => (out.json ? out.result({ status: text, at: new Date().toISOString() }) : log.info(text));
  status(
    `watching Clerk every ${options.intervalMs / 1000} s (a full resync every ${options.fullEvery} ticks), ` +
      `using at most ${requestsPerWindow} of the ${config.clerk.requestsPerWindow} requests per ${config.clerk.windowMs / 1000} s budget; Ctrl-C stops`,
  );
  const stats = await watch(
    { config, db: deps.db, api, log },
    {
      intervalMs: options.intervalMs,
      fullEvery: options.fullEvery,
      signal: options.signal,
      onChange: (c) => (out.json ? out.result({ change: c, at: new Date().toISOString() }) : out.line(formatChangeLine(c))),
      onStatus: status,
    },
  );
  status(`stopped after ${stats.ticks} ticks (${stats.fullTicks} full, ${stats.failedTicks} failed), ${stats.changes} changes applied`);
  return stats;
}

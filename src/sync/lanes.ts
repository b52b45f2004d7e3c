// How many requests a listing keeps in flight. A module of its own, importing nothing, so the
// benchmark's bare floor client (bench/floor.mjs) pages with the same lanes without loading the SDK.

/** Fewest requests in flight, whatever the latency (a local emulator answers in a millisecond). */
const MIN_LANES = 4;
/** Most requests in flight: beyond this a slow network is better waited out than flooded. */
const MAX_LANES = 32;

/**
 * How many requests to keep in flight, and how many of them are user cursor chains. Enough
 * lanes that the budget's steady rate is reached at the measured latency (Little's law:
 * in flight = rate × latency); the chains get the users' share of them, so the users' cursor
 * chains and the offset-paged listings finish together. One chain unless the users need several
 * pages and the lanes allow it.
 */
export function planLanes(pages: { users: number; others: number }, latencyMs: number, ratePerMs: number, lanes?: number): { lanes: number; userChains: number } {
  const total = lanes ?? Math.min(MAX_LANES, Math.max(MIN_LANES, Math.ceil(ratePerMs * latencyMs)));
  const share = Math.round((total * pages.users) / Math.max(1, pages.users + pages.others));
  return { lanes: total, userChains: Math.max(1, Math.min(pages.users, share, total - 1)) };
}

/** Clerk's Backend API budget as a sliding window per secret key (CONTRACT.md §5). */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

/** Clerk's numbers: development keys 100 per 10 s, production keys 1000 per 10 s. */
export function clerkRateLimitFor(secretKey: string): RateLimit {
  return { requests: secretKey.startsWith("sk_live_") ? 1000 : 100, windowMs: 10_000 };
}

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  /** Records a request; returns 0 when allowed, else the ms until a slot frees up. */
  take(key: string, limit: RateLimit, now: number): number {
    let list = this.hits.get(key);
    if (!list) this.hits.set(key, (list = []));
    const cutoff = now - limit.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop]! <= cutoff) drop++;
    if (drop) list.splice(0, drop);
    if (list.length >= limit.requests) return list[0]! + limit.windowMs - now;
    list.push(now);
    return 0;
  }
}

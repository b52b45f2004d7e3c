/** What to do about a failed Clerk request. */
export type RetryDecision = { retry: false } | { retry: true; delayMs: number; reason: string; rateLimited: boolean };

export interface RetryPolicy {
  maxTries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxTries: 6, baseDelayMs: 250, maxDelayMs: 10_000 };

/** The shape of an error as the SDK (or our direct calls) report it. */
export interface RequestFailure {
  status: number | undefined;
  retryAfterSeconds: number | undefined;
  code: string | undefined;
}

/**
 * One table of what is retryable (graphile-worker style): 429 waits what Retry-After says;
 * 5xx and dropped connections (no status) back off exponentially with full jitter; everything
 * else (401, 404, 422, …) is final.
 */
export function decideRetry(failure: RequestFailure, attempt: number, policy: RetryPolicy, random: () => number = Math.random): RetryDecision {
  if (attempt >= policy.maxTries) return { retry: false };
  if (failure.status === 429) {
    const seconds = failure.retryAfterSeconds ?? 1;
    // A little jitter so concurrent waiters do not return in one burst.
    return { retry: true, delayMs: seconds * 1000 + Math.floor(random() * 100), reason: `429 (Retry-After ${seconds}s)`, rateLimited: true };
  }
  if (failure.status === undefined || failure.status >= 500) {
    const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return { retry: true, delayMs: Math.floor(random() * cap) + 1, reason: failure.status ? `HTTP ${failure.status}` : "connection failed", rateLimited: false };
  }
  return { retry: false };
}

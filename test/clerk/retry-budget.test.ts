import assert from "node:assert/strict";
import { test } from "node:test";
import { RateBudget } from "../../src/clerk/rate-budget.ts";
import { DEFAULT_RETRY_POLICY, decideRetry } from "../../src/clerk/retry.ts";

test("429 waits what Retry-After says; 5xx and dropped connections back off; 4xx is final", () => {
  const half = () => 0.5;
  assert.deepEqual(decideRetry({ status: 429, retryAfterSeconds: 3, code: undefined }, 1, DEFAULT_RETRY_POLICY, half), { retry: true, delayMs: 3050, reason: "429 (Retry-After 3s)", rateLimited: true });
  const d500 = decideRetry({ status: 500, retryAfterSeconds: undefined, code: undefined }, 3, DEFAULT_RETRY_POLICY, half);
  assert.ok(d500.retry && d500.delayMs === 501 && !d500.rateLimited, JSON.stringify(d500));
  const dropped = decideRetry({ status: undefined, retryAfterSeconds: undefined, code: undefined }, 1, DEFAULT_RETRY_POLICY, half);
  assert.ok(dropped.retry && dropped.reason === "connection failed");
  for (const status of [400, 401, 403, 404, 422]) assert.deepEqual(decideRetry({ status, retryAfterSeconds: undefined, code: undefined }, 1, DEFAULT_RETRY_POLICY), { retry: false });
  assert.deepEqual(decideRetry({ status: 503, retryAfterSeconds: undefined, code: undefined }, DEFAULT_RETRY_POLICY.maxTries, DEFAULT_RETRY_POLICY), { retry: false }, "bounded");
});

test("backoff is capped", () => {
  const d = decideRetry({ status: 502, retryAfterSeconds: undefined, code: undefined }, 5, { maxTries: 10, baseDelayMs: 1000, maxDelayMs: 2000 }, () => 0.999);
  assert.ok(d.retry && d.delayMs <= 2000);
});

test("the budget lets N requests start per window and queues the rest", async () => {
  let now = 0;
  const budget = new RateBudget(3, 1000, 0, () => now, async (ms) => {
    now += ms;
  });
  const starts: number[] = [];
  // Each request takes 10 ms; its slot frees a window after it finished.
  await Promise.all(Array.from({ length: 7 }, () => budget.acquire().then((release) => {
    starts.push(now);
    now += 10;
    release();
  })));
  assert.deepEqual(starts, [0, 10, 20, 1010, 1020, 1030, 2020]);
});

test("a slot is dated by when its request finished, not when it started", async () => {
  let now = 0;
  const budget = new RateBudget(1, 1000, 0, () => now, async (ms) => {
    now += ms;
  });
  const release = await budget.acquire();
  now = 400; // a slow request (or a blocked event loop) finishing late
  release();
  await budget.acquire();
  assert.equal(now, 1400, "not 1000: Clerk saw the first request arrive as late as 400");
});

test("while every slot is in flight, the next request waits for one to finish", async () => {
  let now = 0;
  const budget = new RateBudget(1, 1000, 0, () => now, async (ms) => {
    now += ms;
  });
  const release = await budget.acquire();
  let second = false;
  const next = budget.acquire().then(() => (second = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, false);
  release();
  await next;
  assert.equal(now, 1000);
});

test("after a 429 the budget holds everyone until the pause ends", async () => {
  let now = 0;
  const budget = new RateBudget(10, 1000, 0, () => now, async (ms) => {
    now += ms;
  });
  budget.pause(2500);
  await budget.acquire();
  assert.equal(now, 2500);
});

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

/** A budget on a fake clock: scheduled wake-ups advance it. */
function fakeBudget(requests: number, windowMs: number, onWait?: (ms: number) => void) {
  const clock = { now: 0 };
  const budget = new RateBudget(
    requests,
    windowMs,
    0,
    () => clock.now,
    (fn, ms) => {
      const at = clock.now + ms;
      setImmediate(() => {
        clock.now = Math.max(clock.now, at);
        fn();
      });
      return undefined;
    },
    onWait,
  );
  return { clock, budget };
}

test("the budget lets N requests start per window and queues the rest", async () => {
  const { clock, budget } = fakeBudget(3, 1000);
  const starts: number[] = [];
  // Each request takes 10 ms; its slot frees a window after it finished.
  await Promise.all(
    Array.from({ length: 7 }, () =>
      budget.acquire().then((release) => {
        starts.push(clock.now);
        clock.now += 10;
        release();
      }),
    ),
  );
  assert.deepEqual(starts, [0, 10, 20, 1010, 1020, 1030, 2020]);
});

test("a slot is dated by when its request finished, not when it started", async () => {
  const { clock, budget } = fakeBudget(1, 1000);
  const release = await budget.acquire();
  clock.now = 400; // a slow request (or a blocked event loop) finishing late
  release();
  await budget.acquire();
  assert.equal(clock.now, 1400, "not 1000: Clerk saw the first request arrive as late as 400");
});

test("while every slot is in flight, the next request waits for one to finish", async () => {
  const { clock, budget } = fakeBudget(1, 1000);
  const release = await budget.acquire();
  let second = false;
  const next = budget.acquire().then(() => (second = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, false);
  release();
  await next;
  assert.equal(clock.now, 1000);
});

test("reserved slots go to priority requests; ordinary ones wait for the next window", async () => {
  const { clock, budget } = fakeBudget(4, 1000);
  budget.reserve(2);
  const order: string[] = [];
  const take = (name: string, priority: boolean) =>
    budget.acquire({ priority }).then((release) => {
      order.push(`${name}@${clock.now}`);
      release();
    });
  // Two ordinary requests fit beside the two reserved slots; the third waits a window, while the
  // priority chain (p2 asks only once p1 is done) still finds its reserved slot.
  await Promise.all([take("a", false), take("b", false), take("c", false), take("p1", true).then(() => take("p2", true))]);
  assert.deepEqual(order, ["a@0", "b@0", "p1@0", "p2@0", "c@1000"]);
});

test("after a 429 the budget holds everyone until the pause ends", async () => {
  const { clock, budget } = fakeBudget(10, 1000);
  budget.pause(2500);
  await budget.acquire();
  assert.equal(clock.now, 2500);
});

test("each wait of a second or more for the window is reported once, with its length; short waits are not", async () => {
  const waits: [number, number][] = [];
  const { clock, budget } = fakeBudget(2, 5000, (ms) => waits.push([clock.now, ms]));
  // 6 requests of 10 ms at 2 per 5 s: two full waits for the window.
  await Promise.all(
    Array.from({ length: 6 }, () =>
      budget.acquire().then((release) => {
        clock.now += 10;
        release();
      }),
    ),
  );
  assert.deepEqual(waits, [
    [10, 5000],
    [5020, 5000],
  ]);
  const quiet: number[] = [];
  const short = fakeBudget(1, 500, (ms) => quiet.push(ms));
  await Promise.all([0, 1, 2].map(() => short.budget.acquire().then((release) => release())));
  assert.deepEqual(quiet, [], "half-second waits go unreported");
});

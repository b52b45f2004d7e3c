// The real client (and the real SDK inside it) against addresses that cannot work: a refused port,
// a name that does not resolve, https:// to a plain-HTTP server. Each gets one retry, then the
// one line naming the URL and the fix, in well under a second of waiting; 429 and 5xx keep the
// budgeted retries.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { ClerkApi } from "../../src/clerk/client.ts";
import { ClerkRequestError } from "../../src/errors.ts";
import { createLogger } from "../../src/log.ts";
import { startTestEmulator } from "../support/emulator.ts";

let emu: RunningEmulator;
before(async () => {
  emu = await startTestEmulator({ users: 3, seed: 41 });
});
after(async () => {
  await emu.close();
});

/** The client as commands build it: default retry policy, warnings captured. */
function client(apiUrl: string, secretKey = emu.secretKey) {
  const warnings: string[] = [];
  const log = createLogger({ level: "warn", destination: { write: (line: string) => warnings.push(line) } });
  return { api: new ClerkApi({ secretKey, apiUrl, requestsPerWindow: 100, windowMs: 10_000, log }), warnings };
}

test("refused, unresolvable, TLS to a plain port: one retry, then the line naming the URL, why and the fix", async () => {
  const https = emu.url.replace(/^http:/, "https:");
  const cases: [string, RegExp][] = [
    ["http://127.0.0.1:1", /^Cannot reach the Clerk API at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\): check CLERK_API_URL in \.env .*start the emulator/],
    ["http://clerk-resync.invalid", /^Cannot reach the Clerk API at http:\/\/clerk-resync\.invalid \((ENOTFOUND|EAI_AGAIN)\): check CLERK_API_URL in \.env/],
    [https, new RegExp(`^Cannot reach the Clerk API at ${https.replace(/[.:/]/g, "\\$&")} \\(\\w+\\): check CLERK_API_URL in \\.env \\(http:// for the emulator, https:// for Clerk\\); behind a proxy that intercepts TLS, point NODE_EXTRA_CA_CERTS`)],
  ];
  for (const [url, message] of cases) {
    const { api, warnings } = client(url);
    const started = performance.now();
    const err = await api.fetchInstanceId().then(
      () => assert.fail(`${url} answered`),
      (e: unknown) => e,
    );
    const ms = performance.now() - started;
    assert.ok(err instanceof ClerkRequestError, String(err));
    assert.match(err.message, message);
    assert.equal(api.stats.requests, 2, `${url}: one retry`);
    assert.equal(warnings.length, 1, warnings.join(""));
    assert.ok(ms < 5_000, `${url}: gave up after ${Math.round(ms)} ms`);
  }
});

test("5xx and 429 keep the budgeted retries", async () => {
  emu.faults.set([
    { route: "GET /instance", status: 503, times: 2 },
    { route: "GET /users/count", status: 429, retryAfterSeconds: 1, times: 1 },
  ]);
  try {
    const { api } = client(emu.url);
    assert.equal(typeof (await api.fetchInstanceId()), "string");
    assert.equal(api.stats.requests, 3, "two 503s retried");
    const before = api.stats.requests;
    assert.equal(await api.fetchUserCount(), 3);
    assert.equal(api.stats.requests - before, 2, "the 429 waited and retried");
    assert.equal(api.stats.rateLimited, 1);
  } finally {
    emu.faults.clear();
  }
});

import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger } from "../src/log.ts";
import { redactSecrets } from "../src/redact.ts";

function capture(): { stream: Writable; text: () => string } {
  let buf = "";
  return {
    stream: new Writable({
      write(chunk, _e, done) {
        buf += String(chunk);
        done();
      },
    }),
    text: () => buf,
  };
}

const KEY = "sk_test_Zq9LmN0pQrStUvWxYz1234567890";

for (const pretty of [false, true]) {
  test(`the secret key never reaches a log line (${pretty ? "pretty" : "json"})`, () => {
    const sink = capture();
    const log = createLogger({ level: "debug", secrets: [KEY], pretty, destination: sink.stream });
    log.info({ secretKey: KEY, headers: { authorization: `Bearer ${KEY}` } }, "starting");
    log.error({ err: new Error(`request with ${KEY} failed`) }, `url=http://x/?key=${KEY}`);
    log.debug({ nested: { deeper: { value: KEY } } }, "nested");
    const text = sink.text();
    assert.ok(text.includes("starting") && text.includes("nested"), "log lines were written");
    assert.ok(!text.includes(KEY), `secret leaked: ${text}`);
    assert.ok(!text.includes("Zq9LmN0p"), "no fragment of the secret either");
  });
}

test("redactSecrets hides any Clerk-shaped key and extra literal secrets", () => {
  assert.equal(redactSecrets("a sk_live_ABCdef123 b"), "a sk_live_[REDACTED] b");
  assert.equal(redactSecrets("odd-secret-value here", ["odd-secret-value"]), "[REDACTED] here");
});

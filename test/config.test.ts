import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig, requireSecretKey } from "../src/config.ts";
import { ConfigError } from "../src/errors.ts";

test("defaults: embedded database, Clerk's real API, development-instance rate budget", () => {
  const c = loadConfig({}, "/app");
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.clerk.apiUrl, "https://api.clerk.com");
  assert.equal(c.clerk.requestsPerWindow, 100);
  assert.equal(c.clerk.windowMs, 10_000);
  assert.equal(c.sidecarDir, "/app/prisma/backups");
  assert.equal(c.pgliteDir, "/app/.data/pglite");
  assert.equal(c.logLevel, "info");
});

test("every bad variable is reported at once, each with its fix", () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: "mysql://x", CLERK_SECRET_KEY: "pk_test_abc", CLERK_REQUESTS_PER_WINDOW: "-3" }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /DATABASE_URL must be a postgresql:\/\/ URL/);
      assert.match(err.message, /CLERK_SECRET_KEY must look like sk_test_/);
      assert.match(err.message, /Clerk Dashboard/);
      assert.match(err.message, /CLERK_REQUESTS_PER_WINDOW must be a positive integer, got "-3"/);
      return true;
    },
  );
});

test("a missing secret key names the variable and the way out", () => {
  assert.throws(() => requireSecretKey(loadConfig({})), /CLERK_SECRET_KEY is not set.*pnpm demo/s);
  assert.equal(requireSecretKey(loadConfig({ CLERK_SECRET_KEY: "sk_test_abc" })), "sk_test_abc");
});

test("blank values count as unset; the API URL loses its trailing slash", () => {
  const c = loadConfig({ DATABASE_URL: "  ", CLERK_API_URL: "http://127.0.0.1:4000/" });
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.clerk.apiUrl, "http://127.0.0.1:4000");
});

test("private metadata is mirrored only on an explicit opt-in", () => {
  assert.equal(loadConfig({}).mirrorPrivateMetadata, false);
  assert.equal(loadConfig({ CLERK_RESYNC_MIRROR_PRIVATE_METADATA: "0" }).mirrorPrivateMetadata, false);
  assert.equal(loadConfig({ CLERK_RESYNC_MIRROR_PRIVATE_METADATA: "1" }).mirrorPrivateMetadata, true);
  assert.throws(() => loadConfig({ CLERK_RESYNC_MIRROR_PRIVATE_METADATA: "yes" }), /CLERK_RESYNC_MIRROR_PRIVATE_METADATA must be 1 \(mirror private metadata\) or 0/);
});

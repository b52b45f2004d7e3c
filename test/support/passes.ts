/**
 * CI runs the suite twice, on PostgreSQL and then on PGlite. A test whose subject does not depend
 * on the database kind (the package as installed, what the output never shows) runs on the first
 * pass only: .ci/run sets CLERK_RESYNC_SECOND_PASS on the second.
 */
export const onFirstPassOnly = process.env.CLERK_RESYNC_SECOND_PASS ? "ran on the first pass (CLERK_RESYNC_SECOND_PASS is set)" : false;

/**
 * Whole files whose subject does not depend on the database kind: the embedded folder's own
 * locking and `dev` (always embedded), the argument parser, the Clerk client's retries, the
 * receiver's bounds, the watcher's listeners, the benchmark scripts, the config file loader, `init`
 * (a schema, no database), examples/next-app (its embedded paths are test/mirror's and
 * test/watch's on the second pass), and what a terminal shows. The second pass leaves them out.
 */
export const FIRST_PASS_ONLY_FILES = [
  "test/cli/args-cli.test.ts",
  "test/cli/dev-cli.test.ts",
  "test/cli/embedded-lock-cli.test.ts",
  "test/clerk/fail-fast.test.ts",
  "test/live/receiver-limits.test.ts",
  "test/live/handle-clerk-webhook.test.ts",
  "test/watch/watch-stop.test.ts",
  "test/bench/bench.test.ts",
  "test/app-config.test.ts",
  "test/init/init.test.ts",
  "test/examples/next-app.test.ts",
  "test/cli/tty-cli.test.ts",
];

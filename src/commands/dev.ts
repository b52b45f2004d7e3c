import { generateDataset } from "../clerk-emulator/dataset.ts";
import { DEFAULT_EMULATOR_PORT, secretKeyForSeed, seededRandom } from "../clerk-emulator/ids.ts";
import { startClerkEmulator, type RunningEmulator } from "../clerk-emulator/server.ts";
import { EmulatorStore } from "../clerk-emulator/store.ts";
import { openDatabase } from "../db/database.ts";
import { migrateAndSeed } from "../db/migrate-and-seed.ts";
import { ConfigError, EXIT } from "../errors.ts";
import { defineCommand } from "./context.ts";
import { watchUntilStopped } from "../watch/watch-until-stopped.ts";

/** The embedded database's port under `pnpm dev`: stable, so the app's DATABASE_URL is too. */
const DEV_DATABASE_PORT = 54330;

/** A busy port is a one-line error naming it and the flag that moves it. */
async function onPort<T>(port: number, flag: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if ((err as { code?: string }).code !== "EADDRINUSE") throw err;
    throw new ConfigError(`port ${port} is in use (another \`pnpm dev\` or emulator?); stop it, or pass ${flag} N (0 picks a free port)`, { cause: err });
  }
}

/**
 * `pnpm dev`: the local services, up to date and running until Ctrl-C: the database (the
 * embedded one when DATABASE_URL is unset, served on loopback for the app to use), migrated and
 * seeded, and — without a CLERK_SECRET_KEY — the Clerk API emulator with a dataset.
 */
export const devCommand = defineCommand({
  spec: {
    flags: {
      users: { type: "integer", value: "N", default: 100, description: "Users in the emulator's dataset (without CLERK_SECRET_KEY)" },
      orgs: { type: "integer", value: "M", default: 10, description: "Organizations in the emulator's dataset" },
      "emulator-port": { type: "integer", value: "N", default: DEFAULT_EMULATOR_PORT, min: 0, max: 65535, description: "Port of the Clerk emulator (0 = any free port)" },
      "db-port": { type: "integer", value: "N", default: DEV_DATABASE_PORT, min: 0, max: 65535, description: "Port of the embedded database (without DATABASE_URL; 0 = any free port)" },
    },
    example: "clerk-resync dev --users 500",
  },
  async run(ctx, { values }) {
    const db = await onPort(values["db-port"], "--db-port", () => openDatabase(ctx.config, ctx.log, { command: "dev", serve: true, embeddedPort: values["db-port"] }));
    let emulator: RunningEmulator | undefined;
    try {
      await migrateAndSeed(db, ctx.config.rootDir);
      if (!ctx.config.clerk.secretKey) {
        const store = new EmulatorStore({ random: seededRandom(1), instanceId: "ins_dev000001" });
        generateDataset(store, { users: values.users, orgs: values.orgs, membershipsPerOrg: 5, seed: 1 });
        // Seed 1 and its derived key: the same CLERK_SECRET_KEY and URL on every start.
        emulator = await onPort(values["emulator-port"], "--emulator-port", () => startClerkEmulator({ store, port: values["emulator-port"], secretKeys: [secretKeyForSeed(1)] }));
      }
      const env = { DATABASE_URL: db.url, ...(emulator ? { CLERK_API_URL: emulator.url, CLERK_SECRET_KEY: emulator.secretKey } : {}) };
      ctx.out.result({ services: env });
      ctx.out.line(`Database ${db.embedded ? "(embedded PGlite) " : ""}migrated and seeded; ${emulator ? "Clerk API emulator running" : "using the Clerk instance of CLERK_SECRET_KEY"}.`);
      ctx.out.line("For the app (and other shells) while this runs:");
      for (const [k, v] of Object.entries(env)) ctx.out.line(`  ${k}=${v}`);
      ctx.out.line("Ctrl-C stops the services.");
      const stopped = new AbortController();
      const stop = () => stopped.abort();
      // `on`, not `once`: a lock's own signal hook re-raises a signal nobody else still listens to.
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      // With a real Clerk key the database follows the shared dev instance while you work, no tunnel.
      if (ctx.config.clerk.secretKey) await watchUntilStopped({ ...ctx, db }, { intervalMs: 10_000, fullEvery: 6, signal: stopped.signal });
      else await new Promise<void>((resolve) => stopped.signal.addEventListener("abort", () => resolve(), { once: true }));
      return EXIT.ok;
    } finally {
      await emulator?.close();
      await db.close();
    }
  },
});

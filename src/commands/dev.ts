import { generateDataset } from "../clerk-emulator/dataset.ts";
import { DEFAULT_EMULATOR_PORT, secretKeyForSeed, seededRandom } from "../clerk-emulator/ids.ts";
import { startClerkEmulator, type RunningEmulator } from "../clerk-emulator/server.ts";
import { EmulatorStore } from "../clerk-emulator/store.ts";
import { createClerkApi } from "../clerk/from-config.ts";
import type { Config } from "../config.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { migrateAndSeed } from "../db/migrate-and-seed.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { removeDevState, writeDevState } from "../dev-state.ts";
import { maskUrlPassword } from "../redact.ts";
import { ConfigError, EXIT } from "../errors.ts";
import { stopOnSignals, untilAborted } from "../stop-signals.ts";
import { defaultResyncOptions, runResync } from "../sync/resync.ts";
import { defineCommand, type CommandContext } from "./context.ts";
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

/** The emulator's users, organizations and memberships into the database, as a resync puts them. */
async function loadEmulatorData(ctx: CommandContext, db: Database, emulator: RunningEmulator): Promise<string> {
  const config: Config = { ...ctx.config, clerk: { ...ctx.config.clerk, apiUrl: emulator.url, secretKey: emulator.secretKey } };
  const release = await acquireWriterLock(db, { command: "dev", log: ctx.log });
  try {
    const { report } = await runResync({ db, api: createClerkApi(config, ctx.log), log: ctx.log }, defaultResyncOptions(config.sidecarDir, config.mirrorPrivateMetadata, config.mirror));
    if (report.refusal) return `the emulator's data was not loaded: ${report.refusal}`;
    const { users: u, organizations: o, memberships: m } = report;
    return `the emulator's ${emulator.store.users.size} users, ${emulator.store.organizations.size} organizations and ${emulator.store.memberships.size} memberships are in the database (${u.created + o.created + m.created} created, ${u.updated + o.updated + m.updated} updated, ${u.deleted + o.deleted + m.deleted} deleted)`;
  } finally {
    await release();
  }
}

/**
 * `pnpm dev`: the local services, up to date and running until Ctrl-C: the database (the
 * embedded one when DATABASE_URL is unset, served on loopback for the app to use), migrated and
 * seeded, and — without a CLERK_SECRET_KEY — the Clerk API emulator with a dataset, loaded into
 * the database. Where they are goes to a state file other shells' commands read.
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
    // From the start: a Ctrl-C, a SIGTERM or pnpm going away during start-up stops dev too.
    const stop = stopOnSignals(ctx.log, { what: "stopping the services" });
    const stateFile = ctx.config.devStateFile;
    let db: Database | undefined;
    let emulator: RunningEmulator | undefined;
    try {
      db = await onPort(values["db-port"], "--db-port", () => openDatabase(ctx.config, ctx.log, { command: "dev", serve: true, embeddedPort: values["db-port"] }));
      await migrateAndSeed(db, ctx.config.rootDir, { forwardSignals: true });
      if (stop.signal.aborted) return EXIT.ok;
      let loaded: string | undefined;
      if (!ctx.config.clerk.secretKey) {
        const store = new EmulatorStore({ random: seededRandom(1), instanceId: "ins_dev000001" });
        generateDataset(store, { users: values.users, orgs: values.orgs, membershipsPerOrg: 5, seed: 1 });
        // Seed 1 and its derived key: the same CLERK_SECRET_KEY and URL on every start.
        emulator = await onPort(values["emulator-port"], "--emulator-port", () => startClerkEmulator({ store, port: values["emulator-port"], secretKeys: [secretKeyForSeed(1)] }));
        loaded = await loadEmulatorData(ctx, db, emulator);
        if (stop.signal.aborted) return EXIT.ok;
      }
      writeDevState(stateFile, {
        pid: process.pid,
        started: new Date().toISOString(),
        databaseUrl: db.url,
        ...(db.folder ? { embeddedDir: db.folder.dir } : {}),
        ...(emulator ? { clerkApiUrl: emulator.url, clerkSecretKey: emulator.secretKey } : {}),
      });
      const shown = { DATABASE_URL: maskUrlPassword(db.url), ...(emulator ? { CLERK_API_URL: emulator.url } : {}) };
      ctx.out.result({ services: shown, stateFile, ...(loaded ? { loaded } : {}) });
      ctx.out.line(`Database ${db.embedded ? "(embedded PGlite) " : ""}migrated and seeded; ${emulator ? "Clerk API emulator running" : "using the Clerk instance of CLERK_SECRET_KEY"}.`);
      if (loaded) ctx.out.line(`Loaded: ${loaded}.`);
      ctx.out.line("For the app while this runs:");
      for (const [k, v] of Object.entries(shown)) ctx.out.line(`  ${k}=${v}`);
      if (emulator) ctx.out.line(`  CLERK_SECRET_KEY: in ${stateFile} (readable by you only)`);
      ctx.out.line(`Other shells: clerk-resync commands with no DATABASE_URL or CLERK_SECRET_KEY use these by themselves (${stateFile}).`);
      ctx.out.line("Ctrl-C stops the services.");
      // With a real Clerk key the database follows the shared dev instance while you work, no tunnel.
      if (ctx.config.clerk.secretKey) await watchUntilStopped({ ...ctx, db }, { intervalMs: 10_000, fullEvery: 6, signal: stop.signal });
      else await untilAborted(stop.signal);
      return EXIT.ok;
    } catch (err) {
      // Stopped during start-up (a migrate child ended by the forwarded signal): a stop, not a failure.
      if (stop.signal.aborted) return EXIT.ok;
      throw err;
    } finally {
      removeDevState(stateFile);
      await emulator?.close();
      await db?.close();
      stop.dispose();
    }
  },
});

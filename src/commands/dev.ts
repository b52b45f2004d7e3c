import { parseArgs } from "node:util";
import { generateDataset } from "../clerk-emulator/dataset.ts";
import { seededRandom } from "../clerk-emulator/ids.ts";
import { startClerkEmulator, type RunningEmulator } from "../clerk-emulator/server.ts";
import { EmulatorStore } from "../clerk-emulator/store.ts";
import { openDatabase } from "../db/database.ts";
import { runPrismaCliOrThrow } from "../db/prisma-cli.ts";
import { seedDefaults } from "../db/seed-defaults.ts";
import { EXIT } from "../errors.ts";
import type { Command } from "./context.ts";
import { watchUntilStopped } from "../watch/watch-until-stopped.ts";

/**
 * `pnpm dev`: the local services, up to date and running until Ctrl-C: the database (the
 * embedded one when DATABASE_URL is unset, served on loopback for the app to use), migrated and
 * seeded, and — without a CLERK_SECRET_KEY — the Clerk API emulator with a dataset.
 */
export const devCommand: Command = {
  summary: "Start the local services (database migrated and seeded; Clerk emulator when no key) until Ctrl-C",
  usage: "dev [--users N] [--orgs M]",
  async run(ctx, args) {
    const { values } = parseArgs({ args, options: { users: { type: "string", default: "100" }, orgs: { type: "string", default: "10" } } });
    const db = await openDatabase(ctx.config, ctx.log, { command: "dev", serve: true });
    let emulator: RunningEmulator | undefined;
    try {
      await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: db.url, cwd: ctx.config.rootDir });
      await seedDefaults(db.prisma);
      if (!ctx.config.clerk.secretKey) {
        const store = new EmulatorStore({ random: seededRandom(1), instanceId: "ins_dev000001" });
        generateDataset(store, { users: Number(values.users), orgs: Number(values.orgs), membershipsPerOrg: 5, seed: 1 });
        emulator = await startClerkEmulator({ store });
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
};

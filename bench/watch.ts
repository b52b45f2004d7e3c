// `pnpm bench:watch [--out FILE]`: what `clerk:resync --watch` spends at its defaults (a tick every
// 10 s, a full resync every 6th): Clerk requests per quiet tick and per full tick, scaled to an hour,
// for a 100-user and a 10,000-user instance; and the latency from a change in Clerk to the row in
// the database, measured with a 1 s interval (the default adds up to 10 s of waiting for the tick).
// On PGlite (in memory), or PostgreSQL with BENCH_DATABASE_URL / TEST_DATABASE_URL.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../src/cli-args.ts";
import { generateDataset } from "../src/clerk-emulator/dataset.ts";
import { seededRandom } from "../src/clerk-emulator/ids.ts";
import { startClerkEmulator } from "../src/clerk-emulator/server.ts";
import { EmulatorStore } from "../src/clerk-emulator/store.ts";
import { ClerkApi } from "../src/clerk/client.ts";
import { loadConfig } from "../src/config.ts";
import { recreateMigratedDatabase } from "../test/support/admin.ts";
import { connectDatabase, type Database } from "../src/db/database.ts";
import { startEmbeddedPostgres } from "../src/db/embedded-postgres.ts";
import { runPrismaCliOrThrow } from "../src/db/prisma-cli.ts";
import { silentLogger } from "../src/log.ts";
import { formatTable } from "../src/output.ts";
import { defaultResyncOptions, runResync } from "../src/sync/resync.ts";
import { watch } from "../src/watch/watch-loop.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseScriptArgs({
  script: "pnpm bench:watch",
  summary: "Requests per quiet and full watch tick, and change-to-row latency",
  flags: { out: { type: "string", value: "FILE", default: "bench/watch-results.json", description: "Where the results go" } },
  example: "pnpm bench:watch",
});
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const DEFAULT_INTERVAL_S = 10;
const DEFAULT_FULL_EVERY = 6;

async function openDb(name: string): Promise<{ db: Database; stop(): Promise<void> }> {
  if (adminUrl) {
    const db = await connectDatabase(await recreateMigratedDatabase(adminUrl, name, ROOT), false);
    return { db, stop: () => db.close() };
  }
  const e = await startEmbeddedPostgres();
  await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: e.url, cwd: ROOT });
  const db = await connectDatabase(e.url, true);
  return { db, stop: async () => (await db.close(), await e.stop()) };
}

async function measure(users: number, orgs: number) {
  const store = new EmulatorStore({ random: seededRandom(3), instanceId: `ins_watch${users}` });
  generateDataset(store, { users, orgs, membershipsPerOrg: 5, seed: 3 });
  const emu = await startClerkEmulator({ store });
  const { db, stop } = await openDb(`clerk_resync_bench_watch_${users}`);
  const api = () => new ClerkApi({ secretKey: emu.secretKey, apiUrl: emu.url, requestsPerWindow: 100, windowMs: 10_000, log: silentLogger });
  const config = { ...loadConfig({}, ROOT), sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-bench-watch-")) };
  try {
    await runResync({ db, api: api(), log: silentLogger }, defaultResyncOptions(config.sidecarDir));
    // Requests per quiet tick and per full tick, counted at the emulator.
    const perTick = async (fullEvery: number, ticks: number) => {
      emu.resetStats();
      const controller = new AbortController();
      let n = 0;
      await watch(
        { config, db, api: api(), log: silentLogger },
        { intervalMs: 0, fullEvery, signal: controller.signal, onChange: () => {}, onStatus: () => {}, onTick: () => ++n >= ticks && controller.abort() },
      );
      return emu.stats.requests / ticks;
    };
    const quiet = await perTick(1_000_000, 5);
    const full = await perTick(1, 3);
    const ticksPerHour = 3600 / DEFAULT_INTERVAL_S;
    const perHour = Math.round(ticksPerHour * ((DEFAULT_FULL_EVERY - 1) / DEFAULT_FULL_EVERY) * quiet + (ticksPerHour / DEFAULT_FULL_EVERY) * full);

    // Latency: change a user in Clerk at a random moment, with a 1 s interval; time until the row changes.
    const latencies: number[] = [];
    const controller = new AbortController();
    const running = watch({ config, db, api: api(), log: silentLogger }, { intervalMs: 1000, fullEvery: DEFAULT_FULL_EVERY, signal: controller.signal, onChange: () => {}, onStatus: () => {} });
    const some = [...store.users.values()];
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
      const u = some[i * 7]!;
      const name = `latency-${i}`;
      const t0 = performance.now();
      store.updateUser(u.id, { firstName: name });
      for (;;) {
        const { rows } = await db.pool.query(`SELECT 1 FROM "User" WHERE id = $1 AND "firstName" = $2`, [u.id, name]);
        if (rows.length) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      latencies.push(performance.now() - t0);
    }
    controller.abort();
    await running;
    latencies.sort((a, b) => a - b);
    return {
      users,
      requestsPerQuietTick: quiet,
      requestsPerFullTick: full,
      requestsPerHourAtDefaults: perHour,
      latencyMsAt1sInterval: { median: Math.round(latencies[4]!), max: Math.round(latencies.at(-1)!) },
    };
  } finally {
    await stop();
    await emu.close();
  }
}

const results = [await measure(100, 10), await measure(10_000, 500)];
process.stdout.write(
  `${formatTable(
    ["users", "req/quiet tick", "req/full tick", "req/hour (10 s, full every 6)", "latency median ms (1 s)", "max ms"],
    results.map((r) => [r.users, r.requestsPerQuietTick, r.requestsPerFullTick, r.requestsPerHourAtDefaults, r.latencyMsAt1sInterval.median, r.latencyMsAt1sInterval.max]),
  )}\n`,
);
writeFileSync(values.out, `${JSON.stringify({ at: new Date().toISOString(), database: adminUrl ? "postgres" : "pglite", results }, null, 2)}\n`);

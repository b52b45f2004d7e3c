// `pnpm bench:reset [--prompts N] [--resources M] [--out FILE]`: what `db:reset` costs beside a
// plain `prisma migrate reset --force` on the same data in the same run, on the demo data and on
// N prompts + M resources; PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL) and the embedded
// database. Both run as a user runs them (a CLI process each). The reset's time is split by step
// from its own log, so the cost of building beside (fingerprint, second database, switch) shows.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../src/cli-args.ts";
import { generateDataset } from "../src/clerk-emulator/dataset.ts";
import { seededRandom } from "../src/clerk-emulator/ids.ts";
import { startClerkEmulator } from "../src/clerk-emulator/server.ts";
import { EmulatorStore } from "../src/clerk-emulator/store.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";
import { addOrgLocalData } from "../src/demo/sample-data.ts";
import { runPrismaCliOrThrow } from "../src/db/prisma-cli.ts";
import { seedDefaults } from "../examples/seed-app/prisma/seed-defaults.ts";
import { silentLogger } from "../src/log.ts";
import { formatTable } from "../src/output.ts";
import { RESET_STEPS } from "../src/reset/run-reset.ts";
import { createClerkApi } from "../src/clerk/from-config.ts";
import { defaultResyncOptions, runResync } from "../src/sync/resync.ts";
import { recreateMigratedDatabase } from "../test/support/admin.ts";
import { freshPgliteDir } from "./database.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseScriptArgs({
  script: "pnpm bench:reset",
  summary: "db:reset beside a plain prisma migrate reset, on the demo data and on many prompts and resources, split by step",
  flags: {
    prompts: { type: "integer", value: "N", default: 20_000, min: 1, description: "Prompts in the large case" },
    resources: { type: "integer", value: "M", default: 5_000, min: 1, description: "Resources in the large case" },
    out: { type: "string", value: "FILE", default: "bench/reset-results.json", description: "Where the results go" },
  },
  example: "pnpm bench:reset --prompts 2000 --resources 500",
});

const store = new EmulatorStore({ random: seededRandom(42), instanceId: "ins_benchreset" });
generateDataset(store, { users: 100, orgs: 10, membershipsPerOrg: 6, seed: 42 });
const emulator = await startClerkEmulator({ store });
const clerkEnv = { CLERK_API_URL: emulator.url, CLERK_SECRET_KEY: emulator.secretKey, CLERK_REQUESTS_PER_WINDOW: "1000" };

function run(args: string[], env: Record<string, string>): Promise<{ ms: number; code: number; stderr: string; stdout: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: Math.round(performance.now() - t0), code: code ?? 1, stderr, stdout }));
  });
}

/** Milliseconds per reset step, from the pino lines' times. */
function stepTimes(stderr: string, endMs: number): Record<string, number> {
  const names = Object.entries(RESET_STEPS);
  const marks: [string, number][] = [];
  for (const line of stderr.split("\n")) {
    try {
      const { msg, time } = JSON.parse(line) as { msg?: string; time?: number };
      const step = names.find(([, text]) => text === msg);
      if (step && time) marks.push([step[0], time]);
    } catch {}
  }
  const out: Record<string, number> = {};
  marks.forEach(([name, t], i) => (out[name] = (marks[i + 1]?.[1] ?? endMs) - t));
  return out;
}

async function prepare(env: Record<string, string>, large: boolean): Promise<void> {
  const config = { ...loadConfig({ ...env }, ROOT), clerk: { ...loadConfig(env, ROOT).clerk, secretKey: emulator.secretKey, apiUrl: emulator.url, requestsPerWindow: 1000 } };
  const db = await openDatabase(config, silentLogger, { command: "bench" });
  try {
    await seedDefaults(db);
    await runResync({ db, api: createClerkApi(config, silentLogger), log: silentLogger }, defaultResyncOptions(mkdtempSync(path.join(tmpdir(), "bench-reset-pruned-"))));
    await addOrgLocalData(db);
    if (large) {
      const orgs = [...store.organizations.keys()];
      await db.pool.query(`INSERT INTO "Prompt" ("organizationId", name, content) SELECT ($1::text[])[1 + g % $3], 'bench-' || g, repeat('Summarize {{input}} ', 20) FROM generate_series(1, $2) g`, [orgs, values.prompts, orgs.length]);
      await db.pool.query(`INSERT INTO "Resource" ("organizationId", uri, name, content) SELECT ($1::text[])[1 + g % $3], 'docs://bench/' || g, 'R ' || g, repeat('# doc ', 50) FROM generate_series(1, $2) g`, [orgs, values.resources, orgs.length]);
    }
  } finally {
    await db.close();
  }
}

const results = [];
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const kinds: ["postgres" | "pglite", () => Promise<Record<string, string>>][] = [
  ...(adminUrl ? [["postgres", async () => ({ DATABASE_URL: await recreateMigratedDatabase(adminUrl, "clerk_resync_bench_reset", ROOT) })] as ["postgres", () => Promise<Record<string, string>>]] : []),
  ["pglite", async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "bench-reset-")), "pglite");
    await freshPgliteDir(dir, ROOT);
    return { CLERK_RESYNC_PGLITE_DIR: dir };
  }],
];
if (!adminUrl) process.stderr.write("PostgreSQL skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL)\n");
for (const [kind, fresh] of kinds) {
  for (const large of [false, true]) {
    const dbEnv = await fresh();
    const env = { ...dbEnv, ...clerkEnv, CLERK_RESYNC_SIDECAR_DIR: mkdtempSync(path.join(tmpdir(), "bench-reset-backups-")), LOG_LEVEL: "info" };
    await prepare(env, large);
    const t0 = Date.now();
    const reset = await run(["--import", "tsx", "src/cli.ts", "reset", "--json"], env);
    if (reset.code !== 0) throw new Error(`db:reset failed:\n${reset.stderr}`);
    const steps = stepTimes(reset.stderr, t0 + reset.ms);
    // The floor: Prisma's own reset (and seed) of the same database, as `prisma migrate reset --force` runs it.
    const url = dbEnv.DATABASE_URL;
    let plainMs: number;
    if (url) plainMs = (await run([path.join(ROOT, "node_modules/prisma/build/index.js"), "migrate", "reset", "--force", "--skip-generate"], { ...env, DATABASE_URL: url })).ms;
    else {
      const config = loadConfig(env, ROOT);
      const db = await openDatabase(config, silentLogger, { command: "bench" });
      const t1 = performance.now();
      await runPrismaCliOrThrow(["migrate", "reset", "--force", "--skip-generate"], { databaseUrl: db.url, cwd: ROOT });
      plainMs = Math.round(performance.now() - t1);
      await db.close();
    }
    const report = JSON.parse(reset.stdout) as { backedUp: Record<string, number> };
    const rows = Object.values(report.backedUp).reduce((n, x) => n + x, 0);
    results.push({ db: kind, data: large ? `demo + ${values.prompts} prompts + ${values.resources} resources` : "demo", rows, resetMs: reset.ms, plainMs, ratio: +(reset.ms / plainMs).toFixed(2), steps });
  }
}
await emulator.close();
const stepNames = Object.keys(RESET_STEPS);
process.stdout.write(
  `${formatTable(
    ["db", "data", "rows", "db:reset ms", "prisma migrate reset ms", "ratio", ...stepNames],
    results.map((r) => [r.db, r.data, r.rows, r.resetMs, r.plainMs, r.ratio, ...stepNames.map((s) => r.steps[s] ?? "")]),
  )}\n`,
);
writeFileSync(values.out, `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);

// Start-up of the compiled bin, beside `node -e 0` measured in the same run: `--help`, `--version`,
// and a no-op `resync` on the demo data (100 users, 10 orgs) against the emulator, on PostgreSQL
// when BENCH_DATABASE_URL / TEST_DATABASE_URL is set and on the embedded database. Medians of
// repeated runs; `pnpm bench:startup` alone, and part of `pnpm bench`. Nothing here asserts.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../src/emulator.ts";
import { recreateMigratedDatabase } from "../test/support/admin.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "dist/cli.js");

export interface StartupResult {
  runs: number;
  nodeMs: number;
  helpMs: number;
  versionMs: number;
  helpRatio: number;
  versionRatio: number;
  /** Wall time of a no-op `clerk-resync resync`, per database kind. */
  noopResyncMs: Record<string, number>;
  /**
   * The floor of any command on the embedded database when no `dev` holds it: a process that only
   * opens the data folder with PGlite and closes it.
   */
  pgliteOpenMs?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median wall time of a whole process, start to exit. Async: the emulator answers from this process. */
async function timed(args: string[], env: NodeJS.ProcessEnv, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    times.push(performance.now() - t0);
    if (code !== 0) throw new Error(`${args.join(" ")} exited ${code}: ${stderr}`);
  }
  return Math.round(median(times));
}

/** `clerk-resync dev` in the background, ready once it has written its state file. */
async function startDev(env: NodeJS.ProcessEnv): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, "dev"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  child.stderr.resume(); // its logs: read and dropped, so a full pipe never stalls it
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`dev was not ready within 60 s:\n${out}`)), 60_000);
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("Ctrl-C stops the services")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`dev exited ${code} before it was ready:\n${out}`));
    });
  });
  return {
    stop: async () => {
      child.kill("SIGINT");
      await closed;
    },
  };
}

export async function benchStartup(options: { runs?: number; adminUrl?: string; pglite?: boolean } = {}): Promise<StartupResult> {
  const runs = options.runs ?? 11;
  execFileSync(process.execPath, [path.join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "ignore" });
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "silent" };
  const nodeMs = await timed(["-e", "0"], env, runs);
  const helpMs = await timed([BIN, "--help"], env, runs);
  const versionMs = await timed([BIN, "--version"], env, runs);

  const emu = await startEmulator({ users: 100, orgs: 10, membershipsPerOrg: 5, seed: 1 });
  const tmp = mkdtempSync(path.join(os.tmpdir(), "clerk-resync-startup-"));
  const noopResyncMs: Record<string, number> = {};
  let pgliteOpenMs: number | undefined;
  try {
    const clerk = { CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: tmp };
    const databases: Record<string, Record<string, string>> = options.pglite === false ? {} : { pglite: { CLERK_RESYNC_PGLITE_DIR: path.join(tmp, "pglite") } };
    if (options.adminUrl) databases.postgres = { DATABASE_URL: await recreateMigratedDatabase(options.adminUrl, "clerk_resync_bench_startup", ROOT) };
    const resyncRuns = Math.max(1, Math.floor(runs / 2));
    for (const [kind, db] of Object.entries(databases)) {
      const e = { ...env, ...clerk, ...db };
      if (kind === "pglite") await timed([BIN, "migrate"], e, 1);
      await timed([BIN, "resync"], e, 1); // the first resync fills the database; every later one is a no-op
      noopResyncMs[kind] = await timed([BIN, "resync"], e, resyncRuns);
    }
    if (databases.pglite) {
      const dataDir = databases.pglite.CLERK_RESYNC_PGLITE_DIR!;
      // With the start parameters the CLI uses (src/db/embedded-postgres.ts).
      const params = JSON.stringify(path.join(ROOT, "dist/db/embedded-postgres.js"));
      const open = `Promise.all([import("@electric-sql/pglite"), import(${params})]).then(async ([{ PGlite }, { EMBEDDED_START_PARAMS }]) => (await PGlite.create({ dataDir: ${JSON.stringify(dataDir)}, startParams: EMBEDDED_START_PARAMS })).close())`;
      pgliteOpenMs = await timed(["--input-type=module", "-e", open], env, resyncRuns);
      // With `dev` running, commands reach the embedded database through its server.
      const e = { ...env, ...clerk, ...databases.pglite, CLERK_RESYNC_DEV_STATE: path.join(tmp, "dev-state.json") };
      const dev = await startDev(e);
      try {
        noopResyncMs["pglite, dev running"] = await timed([BIN, "resync"], e, resyncRuns);
      } finally {
        await dev.stop();
      }
    }
  } finally {
    await emu.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const ratio = (ms: number) => Number((ms / nodeMs).toFixed(2));
  return { runs, nodeMs, helpMs, versionMs, helpRatio: ratio(helpMs), versionRatio: ratio(versionMs), noopResyncMs, pgliteOpenMs };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = await benchStartup({ adminUrl: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL });
  process.stdout.write(
    [
      `node -e 0            ${r.nodeMs} ms`,
      `clerk-resync --help    ${r.helpMs} ms (${r.helpRatio}× node -e 0)`,
      `clerk-resync --version ${r.versionMs} ms (${r.versionRatio}× node -e 0)`,
      ...Object.entries(r.noopResyncMs).map(([kind, ms]) => `no-op resync, ${kind.padEnd(19)} ${ms} ms (demo data: 100 users, 10 orgs)`),
      ...(r.pgliteOpenMs === undefined ? [] : [`PGlite open + close alone ${r.pgliteOpenMs} ms (the floor of a command on the embedded database with no dev running)`]),
      `(medians of ${r.runs} runs)`,
      "",
    ].join("\n"),
  );
}

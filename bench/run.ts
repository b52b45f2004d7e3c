// `pnpm bench [--scale S] [--latency-scale S] [--out FILE] [--db postgres|pglite|all]`: resync and baseline
// scenarios against the emulator (its own process) over HTTP and a real database. Prints a table
// and writes JSON results. Not a test: nothing here asserts timings.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../src/cli-args.ts";
import { formatTable } from "../src/output.ts";
import { recreateMigratedDatabase } from "../test/support/admin.ts";
import { freshPgliteDir } from "./database.ts";
import { benchStartup } from "./startup.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseScriptArgs({
  script: "pnpm bench",
  summary: "Benchmarks: full, noop, drift, baseline, latency and throttled resyncs against the emulator in its own process, each against a floor measured in the same run (see README)",
  flags: {
    scale: { type: "number", value: "S", default: 1, description: "Multiply every dataset size (0.1 for a quick run)" },
    "latency-scale": { type: "number", value: "S", description: "Multiply the latency scenario's 20k users (default: --scale; 5 for 100k)" },
    db: { type: "string", value: "KIND", default: "all", choices: ["postgres", "pglite", "all"], description: "Which databases: postgres (needs BENCH_DATABASE_URL or TEST_DATABASE_URL), pglite or all" },
    out: { type: "string", value: "FILE", default: "bench/results.json", description: "Where the results go" },
    "startup-runs": { type: "integer", value: "N", default: 11, min: 1, description: "Runs of each start-up measure (the median is reported)" },
  },
  example: "pnpm bench --scale 0.1 --db pglite",
});
const scale = values.scale;
const latencyScale = values["latency-scale"] ?? scale;
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const kinds = (values.db === "all" ? ["postgres", "pglite"] : [values.db]).filter((k) => {
  if (k === "postgres" && !adminUrl) {
    process.stderr.write("PostgreSQL skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL admin URL\n");
    return false;
  }
  return true;
});

const n = (x: number) => Math.max(1, Math.round(x * scale));
const DATASET = { users: n(100_000), orgs: n(5_000), membershipsPerOrg: 30 };
const THROTTLED = { users: n(20_000), orgs: n(1_000), membershipsPerOrg: 30 };
const nl = (x: number) => Math.max(1, Math.round(x * latencyScale));
/** A large instance as the real Clerk serves it: every request a round trip plus Clerk's own time. */
const LATENCY = { users: nl(20_000), orgs: nl(1_000), membershipsPerOrg: 30, latencyMs: 150 };
const BASELINE_USERS = n(10_000);
const DEV_BUDGET = { requests: 100, windowMs: 10_000 };
const PRODUCTION_BUDGET = { requests: 1000, windowMs: 10_000 };

interface ScenarioResult {
  scenario: string;
  wallMs: number;
  records: number;
  requests: number;
  retries: number;
  rowsWritten: number;
  peakRssMB: number;
  /** CPU time of the scenario's own process, and of the whole machine (emulator and database included), during `wallMs`. */
  cpuMs: number;
  machineCpuMs: number;
  /** machineCpuMs ÷ wallMs (see `measure` in scenario.ts). */
  coresBusy: number;
  /** The emulator's CPU time during the scenario (Clerk's work, which the real Clerk does elsewhere). */
  emulatorCpuMs?: number;
  recordsPerSecond?: number;
  failedRequests?: number;
  floorMs?: number;
  ratioToFloor?: number | null;
  /** The floor's request count: the fewest requests that list everything. */
  minRequests?: number;
  note?: string;
}

interface Emulator {
  url: string;
  secretKey: string;
  child: ChildProcess;
  request<T>(msg: object, reply: string): Promise<T>;
}

async function startEmulator(d: typeof DATASET, budget: number, seed: number, latencyMs = 0): Promise<Emulator> {
  const child = fork(path.join(ROOT, "bench/emulator-process.ts"), [d.users, d.orgs, d.membershipsPerOrg, seed, budget, latencyMs].map(String), {
    execArgv: ["--import", "tsx", "--max-old-space-size=8192"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const request = <T>(msg: object, reply: string) =>
    new Promise<T>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`emulator exited (${code})`));
      const on = (m: { type: string }) => {
        if (m.type !== reply) return;
        child.off("message", on);
        child.off("exit", exited);
        resolve(m as T);
      };
      child.on("message", on);
      child.once("exit", exited);
      if (Object.keys(msg).length) child.send(msg);
    });
  const ready = await request<{ url: string; secretKey: string }>({}, "ready");
  return { url: ready.url, secretKey: ready.secretKey, child, request };
}

async function stopEmulator(e: Emulator): Promise<void> {
  await new Promise<void>((resolve) => {
    e.child.once("exit", () => resolve());
    e.child.send({ type: "stop" });
  });
}

/** The emulator's CPU time so far (ms). */
async function emulatorCpuMs(e: Emulator): Promise<number> {
  return (await e.request<{ ms: number }>({ type: "cpu" }, "cpu")).ms;
}

/** One scenario against `emu`, with the CPU time the emulator spent meanwhile. */
async function runScenario(scenario: string, env: Record<string, string>, emu: Emulator): Promise<ScenarioResult> {
  const before = await emulatorCpuMs(emu);
  const result = await runScenarioProcess(scenario, env);
  result.emulatorCpuMs = Math.round((await emulatorCpuMs(emu)) - before);
  return result;
}

function runScenarioProcess(scenario: string, env: Record<string, string>): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean), "--import", "tsx", path.join(ROOT, "bench/scenario.ts")], {
      cwd: ROOT,
      env: { ...process.env, BENCH_SCENARIO: scenario, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`scenario ${scenario} failed (exit ${code})`));
      const result = JSON.parse(out.trim().split("\n").at(-1)!) as ScenarioResult;
      result.recordsPerSecond = Math.round(result.records / (result.wallMs / 1000));
      resolve(result);
    });
  });
}

async function freshDatabase(kind: string, name: string, tmp: string): Promise<Record<string, string>> {
  if (kind === "postgres") return { BENCH_DATABASE_URL: await recreateMigratedDatabase(adminUrl!, name, ROOT) };
  const dir = path.join(tmp, name);
  await freshPgliteDir(dir, ROOT);
  return { BENCH_PGLITE_DIR: dir };
}

/**
 * The floor, measured twice (before and after the scenarios it is the floor of, on the same
 * emulator) so the table shows how noisy the machine was; the faster run counts.
 */
function withFloor(results: ScenarioResult[], floors: ScenarioResult[], budgetFloorMs = 0): void {
  const best = floors.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const worst = floors.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
  const floorMs = Math.max(best.wallMs, budgetFloorMs);
  best.note = `floor: ${floors.map((f) => (f.wallMs / 1000).toFixed(2)).join(" / ")} s (spread ${Math.round((worst.wallMs / best.wallMs - 1) * 100)}%)`;
  for (const r of results) {
    r.floorMs = floorMs;
    r.ratioToFloor = Number((r.wallMs / floorMs).toFixed(2));
    r.minRequests = best.requests;
  }
}

async function benchKind(kind: string, tmp: string): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const say = (s: string) => process.stderr.write(`[${kind}] ${s}\n`);

  let emu = await startEmulator(DATASET, 0, 1);
  let clerk = { BENCH_CLERK_URL: emu.url, BENCH_CLERK_KEY: emu.secretKey, BENCH_SIDECAR_DIR: tmp };
  const main = await freshDatabase(kind, "clerk_resync_bench", tmp);
  say("floor, full, noop, floor");
  const floors = [await runScenario("floor", clerk, emu)];
  const measured: ScenarioResult[] = [];
  for (const scenario of ["full", "noop"]) measured.push(await runScenario(scenario, { ...clerk, ...main }, emu));
  floors.push(await runScenario("floor", clerk, emu));
  withFloor(measured, floors);
  results.push(floors.find((f) => f.note)!, ...measured);
  say("drift: 1% of each entity changed in Clerk, 0.5% deleted");
  await emu.request({ type: "drift", changeShare: 0.01, deleteShare: 0.005, seed: 2 }, "drifted");
  results.push(await runScenario("drift", { ...clerk, ...main }, emu));
  say(`baseline: ${BASELINE_USERS} users, one prisma.user.upsert each`);
  results.push(await runScenario("baseline", { ...clerk, ...(await freshDatabase(kind, "clerk_resync_bench_baseline", tmp)), BENCH_BASELINE_USERS: String(BASELINE_USERS) }, emu));
  await stopEmulator(emu);

  say(`latency: ${LATENCY.users} users, ${LATENCY.latencyMs} ms per request, production budget (${PRODUCTION_BUDGET.requests} / 10 s)`);
  emu = await startEmulator(LATENCY, PRODUCTION_BUDGET.requests, 4, LATENCY.latencyMs);
  clerk = { BENCH_CLERK_URL: emu.url, BENCH_CLERK_KEY: emu.secretKey, BENCH_SIDECAR_DIR: tmp };
  const budget = { BENCH_REQUESTS_PER_WINDOW: String(PRODUCTION_BUDGET.requests) };
  const latencyDb = await freshDatabase(kind, "clerk_resync_bench_latency", tmp);
  const latencyFloors = [await runScenario("floor", { ...clerk, ...budget }, emu)];
  const latency: ScenarioResult[] = [];
  for (const scenario of ["full", "noop"]) latency.push({ ...(await runScenario(scenario, { ...clerk, ...budget, ...latencyDb }, emu)), scenario: `latency ${scenario}` });
  latencyFloors.push(await runScenario("floor", { ...clerk, ...budget }, emu));
  // Nor can any client beat the budget's steady rate.
  const budgetFloorMs = (Math.min(...latencyFloors.map((f) => f.requests)) / PRODUCTION_BUDGET.requests) * PRODUCTION_BUDGET.windowMs;
  withFloor(latency, latencyFloors, budgetFloorMs);
  const lf = latencyFloors.find((f) => f.note)!;
  lf.note += `; budget alone ${(budgetFloorMs / 1000).toFixed(2)} s, ${lf.requests} requests in ${(lf as { lanes?: number }).lanes} lanes`;
  results.push({ ...lf, scenario: "latency floor" }, ...latency);
  const latencyStats = await emu.request<{ stats: { rateLimited: number } }>({ type: "stats" }, "stats");
  if (latencyStats.stats.rateLimited) latency[0]!.note = `${latencyStats.stats.rateLimited} requests rate-limited`;
  await stopEmulator(emu);

  say(`throttled: ${THROTTLED.users} users at Clerk's development budget (100 requests / 10 s)`);
  emu = await startEmulator(THROTTLED, DEV_BUDGET.requests, 3);
  const throttled = await runScenario("throttled", {
    BENCH_CLERK_URL: emu.url,
    BENCH_CLERK_KEY: emu.secretKey,
    BENCH_SIDECAR_DIR: tmp,
    BENCH_REQUESTS_PER_WINDOW: String(DEV_BUDGET.requests),
    ...(await freshDatabase(kind, "clerk_resync_bench_throttled", tmp)),
  }, emu);
  const stats = await emu.request<{ stats: { rateLimited: number } }>({ type: "stats" }, "stats");
  await stopEmulator(emu);
  // The budget lets `requests` start no sooner than this: one full window per 100 after the first 100.
  throttled.floorMs = Math.max(0, Math.ceil(throttled.requests / DEV_BUDGET.requests) - 1) * DEV_BUDGET.windowMs;
  throttled.ratioToFloor = throttled.floorMs ? Number((throttled.wallMs / throttled.floorMs).toFixed(3)) : null;
  throttled.failedRequests = stats.stats.rateLimited;
  throttled.note = `floor = the budget's windows; ${throttled.failedRequests} rate-limited`;
  results.push(throttled);
  return results;
}

const startup = await benchStartup({ runs: values["startup-runs"], adminUrl: kinds.includes("postgres") ? adminUrl : undefined, pglite: kinds.includes("pglite") });
process.stdout.write(
  `start-up: --help ${startup.helpMs} ms (${startup.helpRatio}× node -e 0 at ${startup.nodeMs} ms), --version ${startup.versionMs} ms (${startup.versionRatio}×); ` +
    `no-op resync on the demo data: ${Object.entries(startup.noopResyncMs).map(([k, ms]) => `${k} ${ms} ms`).join(", ")}` +
    `${startup.pgliteOpenMs === undefined ? "" : `; PGlite open + close alone ${startup.pgliteOpenMs} ms`}\n`,
);

const tmp = mkdtempSync(path.join(os.tmpdir(), "clerk-resync-bench-"));
const all: Record<string, ScenarioResult[]> = {};
try {
  for (const kind of kinds) all[kind] = await benchKind(kind, tmp);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const perRecord = (r: ScenarioResult | undefined) => (r ? r.wallMs / Math.max(1, r.records) : NaN);
const summary: Record<string, { speedupVsBaseline: number }> = {};
for (const [kind, results] of Object.entries(all)) {
  const full = results.find((r) => r.scenario === "full");
  const base = results.find((r) => r.scenario === "baseline");
  summary[kind] = { speedupVsBaseline: Number((perRecord(base) / perRecord(full)).toFixed(1)) };
  process.stdout.write(
    `\n${kind} — ${DATASET.users} users, ${DATASET.orgs} orgs, ${DATASET.orgs * DATASET.membershipsPerOrg} memberships unthrottled; latency: ${LATENCY.users} users, ${LATENCY.orgs} orgs, ${LATENCY.orgs * LATENCY.membershipsPerOrg} memberships at ${LATENCY.latencyMs} ms/request (scale ${scale}, latency scale ${latencyScale})\n`,
  );
  process.stdout.write(
    `${formatTable(
      ["scenario", "wall s", "floor s", "ratio", "client CPU s", "emulator CPU s", "cores busy", "records/s", "requests", "÷ min", "retries", "rows written", "peak RSS MB", "note"],
      results.map((r) => [
        r.scenario,
        (r.wallMs / 1000).toFixed(2),
        r.floorMs ? (r.floorMs / 1000).toFixed(2) : "",
        r.ratioToFloor ?? "",
        (r.cpuMs / 1000).toFixed(2),
        r.emulatorCpuMs === undefined ? "" : (r.emulatorCpuMs / 1000).toFixed(2),
        r.coresBusy,
        r.recordsPerSecond ?? 0,
        r.requests,
        r.minRequests ? (r.requests / r.minRequests).toFixed(3) : "",
        r.retries,
        r.rowsWritten,
        r.peakRssMB,
        r.scenario === "full" ? `${summary[kind]!.speedupVsBaseline}× faster per record than baseline` : (r.note ?? ""),
      ]),
    )}\n`,
  );
}

const out = path.resolve(ROOT, values.out!);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ createdAt: new Date().toISOString(), scale, machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, dataset: DATASET, latencyDataset: LATENCY, throttledDataset: THROTTLED, baselineUsers: BASELINE_USERS, startup, results: all, summary }, null, 2)}\n`,
);
process.stdout.write(`\nResults written to ${path.relative(ROOT, out)}\n`);

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
import { machineBusyMs, measureProcess } from "./process.ts";
import { benchStartup } from "./startup.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "dist/cli.js");
const FLOOR = path.join(ROOT, "bench/floor.mjs");
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
/** The same at the unthrottled scenarios' size. */
const LATENCY_100K = { ...DATASET, latencyMs: 150 };
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
  /**
   * CPU time of the scenario's process tree from the OS (on PGlite the database runs in it), and of
   * the whole machine (emulator and database included), during `wallMs`.
   */
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
  /** The floor client's CPU time (the lower of its two runs), and cpuMs ÷ it. */
  floorCpuMs?: number;
  cpuRatio?: number;
  /** The database rows the read floor read (one per listed record, the database being in sync). */
  rowsRead?: number;
  /** Requests the floor kept in flight. */
  lanes?: number;
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

/** Runs `run` and adds the emulator's CPU time and the machine's (`coresBusy` near the core count: the machine set the pace). */
async function withMachine(emu: Emulator, run: () => Promise<ScenarioResult>): Promise<ScenarioResult> {
  const emulatorBefore = await emulatorCpuMs(emu);
  const machineBefore = machineBusyMs();
  const result = await run();
  result.machineCpuMs = Math.round(machineBusyMs() - machineBefore);
  result.coresBusy = Number((result.machineCpuMs / result.wallMs).toFixed(2));
  result.emulatorCpuMs = Math.round((await emulatorCpuMs(emu)) - emulatorBefore);
  result.recordsPerSecond = Math.round(result.records / (result.wallMs / 1000));
  return result;
}

/** What every measured process is given: the emulator, its budget, and nothing from the caller's shell but PATH and HOME. */
function processEnv(emu: Emulator, requestsPerWindow: number, db: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: "warn",
    CLERK_API_URL: emu.url,
    CLERK_SECRET_KEY: emu.secretKey,
    CLERK_REQUESTS_PER_WINDOW: String(requestsPerWindow),
    BENCH_CLERK_URL: emu.url,
    BENCH_CLERK_KEY: emu.secretKey,
    BENCH_REQUESTS_PER_WINDOW: String(requestsPerWindow),
    ...db,
  };
}

/**
 * The floor client (bench/floor.mjs) as a process of its own; given a database, the read floor
 * (the same pages, each also reading the database's rows of the ids it lists).
 */
async function runFloor(emu: Emulator, requestsPerWindow: number, app: string, scenario = "floor", readDb?: Record<string, string>): Promise<ScenarioResult> {
  return withMachine(emu, async () => {
    const env = readDb ? processEnv(emu, requestsPerWindow, { ...readDb, BENCH_FLOOR_READ_DB: "1" }) : processEnv(emu, requestsPerWindow);
    const m = await measureProcess(FLOOR, [], { env, cwd: app });
    const out = JSON.parse(m.stdout.trim()) as { requests: number; records: number; lanes: number; dbRows: number };
    return { scenario, wallMs: m.wallMs, cpuMs: m.cpuMs, peakRssMB: m.peakRssMB, records: out.records, requests: out.requests, retries: 0, rowsWritten: 0, machineCpuMs: 0, coresBusy: 0, lanes: out.lanes, ...(readDb ? { rowsRead: out.dbRows } : {}) };
  });
}

/** `clerk-resync resync` as a user runs it from the shell: the compiled bin, its human report read back. */
async function runResyncBin(scenario: string, emu: Emulator, requestsPerWindow: number, db: Record<string, string>, app: string, records: number): Promise<ScenarioResult> {
  return withMachine(emu, async () => {
    const m = await measureProcess(BIN, ["resync"], { env: processEnv(emu, requestsPerWindow, db), cwd: app });
    const totals = /(\d+) Clerk requests \((\d+) retried\), (\d+) rows written/.exec(m.stdout);
    if (!totals) throw new Error(`${scenario}: no totals line in the resync's report:\n${m.stdout.slice(-2000)}`);
    const [requests, retries, rowsWritten] = totals.slice(1).map(Number) as [number, number, number];
    return { scenario, wallMs: m.wallMs, cpuMs: m.cpuMs, peakRssMB: m.peakRssMB, records, requests, retries, rowsWritten, machineCpuMs: 0, coresBusy: 0 };
  });
}

/** The in-process baseline (bench/scenario.ts), with the CPU time the emulator spent meanwhile. */
async function runBaseline(env: Record<string, string>, emu: Emulator): Promise<ScenarioResult> {
  const before = await emulatorCpuMs(emu);
  const result = await new Promise<ScenarioResult>((resolve, reject) => {
    const child = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean), "--import", "tsx", path.join(ROOT, "bench/scenario.ts")], {
      cwd: ROOT,
      env: { ...process.env, BENCH_SCENARIO: "baseline", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`scenario baseline failed (exit ${code})`));
      const r = JSON.parse(out.trim().split("\n").at(-1)!) as ScenarioResult;
      r.recordsPerSecond = Math.round(r.records / (r.wallMs / 1000));
      resolve(r);
    });
  });
  result.emulatorCpuMs = Math.round((await emulatorCpuMs(emu)) - before);
  return result;
}

/** A fresh migrated database: as the bin's environment, and as the in-process baseline's. */
async function freshDatabase(kind: string, name: string, tmp: string): Promise<{ bin: Record<string, string>; bench: Record<string, string> }> {
  if (kind === "postgres") {
    const url = await recreateMigratedDatabase(adminUrl!, name, ROOT);
    return { bin: { DATABASE_URL: url }, bench: { BENCH_DATABASE_URL: url } };
  }
  const dir = path.join(tmp, name);
  await freshPgliteDir(dir, ROOT);
  return { bin: { CLERK_RESYNC_PGLITE_DIR: dir }, bench: { BENCH_PGLITE_DIR: dir } };
}

/**
 * The floor, measured twice (before and after the scenarios it is the floor of, on the same
 * emulator) so the table shows how noisy the machine was; the faster run counts, for wall time
 * and, separately, for CPU time.
 */
function withFloor(results: ScenarioResult[], floors: ScenarioResult[], budgetFloorMs = 0): ScenarioResult {
  const best = floors.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const worst = floors.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
  const floorMs = Math.max(best.wallMs, budgetFloorMs);
  const floorCpuMs = Math.min(...floors.map((f) => f.cpuMs));
  best.note = `floor: ${floors.map((f) => (f.wallMs / 1000).toFixed(2)).join(" / ")} s (spread ${Math.round((worst.wallMs / best.wallMs - 1) * 100)}%), CPU ${floors.map((f) => (f.cpuMs / 1000).toFixed(2)).join(" / ")} s`;
  best.floorCpuMs = floorCpuMs;
  for (const r of results) {
    r.floorMs = floorMs;
    r.ratioToFloor = Number((r.wallMs / floorMs).toFixed(2));
    r.floorCpuMs = floorCpuMs;
    r.cpuRatio = Number((r.cpuMs / floorCpuMs).toFixed(2));
    r.minRequests = best.requests;
  }
  return best;
}

const recordsOf = (d: { users: number; orgs: number; membershipsPerOrg: number }) => d.users + d.orgs + d.orgs * d.membershipsPerOrg;

/** Floor, full and noop resyncs of a dataset served with `latencyMs` per request, under `budget` requests per 10 s. */
async function floorFullNoop(kind: string, tmp: string, app: string, label: string, d: typeof DATASET, latencyMs: number, seed: number): Promise<{ results: ScenarioResult[]; emu: Emulator; db: Record<string, string> }> {
  const emu = await startEmulator(d, latencyMs ? PRODUCTION_BUDGET.requests : 0, seed, latencyMs);
  // Unthrottled: the emulator enforces no budget, and the client's own is the production one.
  const budget = PRODUCTION_BUDGET.requests;
  const db = (await freshDatabase(kind, `clerk_resync_bench_${label.replace(/\W/g, "_") || "main"}`, tmp)).bin;
  const floors = [await runFloor(emu, budget, app)];
  const measured: ScenarioResult[] = [];
  for (const scenario of ["full", "noop"]) measured.push(await runResyncBin(label ? `${label} ${scenario}` : scenario, emu, budget, db, app, recordsOf(d)));
  floors.push(await runFloor(emu, budget, app));
  // The no-op's database is in sync now: what reading its rows adds to the floor (PostgreSQL only:
  // the read floor opens no embedded database).
  const readFloor = !label && db.DATABASE_URL ? await runFloor(emu, budget, app, "read floor", db) : undefined;
  // Nor can any client beat the budget's steady rate, when Clerk enforces it.
  const budgetFloorMs = latencyMs ? (Math.min(...floors.map((f) => f.requests)) / PRODUCTION_BUDGET.requests) * PRODUCTION_BUDGET.windowMs : 0;
  const floor = withFloor(measured, floors, budgetFloorMs);
  if (latencyMs) floor.note += `; budget alone ${(budgetFloorMs / 1000).toFixed(2)} s, ${floor.requests} requests in ${floor.lanes} lanes`;
  const stats = await emu.request<{ stats: { rateLimited: number } }>({ type: "stats" }, "stats");
  if (stats.stats.rateLimited) measured[0]!.note = `${stats.stats.rateLimited} requests rate-limited`;
  if (readFloor) {
    readFloor.cpuRatio = Number((readFloor.cpuMs / floor.floorCpuMs!).toFixed(2));
    readFloor.note = "the floor, each page also reading the database's rows of its ids (bench/floor.mjs, BENCH_FLOOR_READ_DB)";
  }
  return { results: [{ ...floor, scenario: label ? `${label} floor` : "floor" }, ...measured, ...(readFloor ? [readFloor] : [])], emu, db };
}

async function benchKind(kind: string, tmp: string, app: string): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const say = (s: string) => process.stderr.write(`[${kind}] ${s}\n`);

  say(`floor, full, noop, floor: ${DATASET.users} users, unthrottled`);
  const main = await floorFullNoop(kind, tmp, app, "", DATASET, 0, 1);
  results.push(...main.results);
  say("drift: 1% of each entity changed in Clerk, 0.5% deleted");
  await main.emu.request({ type: "drift", changeShare: 0.01, deleteShare: 0.005, seed: 2 }, "drifted");
  results.push(await runResyncBin("drift", main.emu, PRODUCTION_BUDGET.requests, main.db, app, recordsOf(DATASET)));
  say(`baseline: ${BASELINE_USERS} users, one prisma.user.upsert each`);
  const baseline = (await freshDatabase(kind, "clerk_resync_bench_baseline", tmp)).bench;
  results.push(await runBaseline({ BENCH_CLERK_URL: main.emu.url, BENCH_CLERK_KEY: main.emu.secretKey, ...baseline, BENCH_BASELINE_USERS: String(BASELINE_USERS) }, main.emu));
  await stopEmulator(main.emu);

  for (const [label, d] of [["latency", LATENCY], ["latency 100k", LATENCY_100K]] as const) {
    say(`${label}: ${d.users} users, ${d.latencyMs} ms per request, production budget (${PRODUCTION_BUDGET.requests} / 10 s)`);
    const latency = await floorFullNoop(kind, tmp, app, label, d, d.latencyMs, 4);
    results.push(...latency.results);
    await stopEmulator(latency.emu);
  }

  say(`throttled: ${THROTTLED.users} users at Clerk's development budget (100 requests / 10 s)`);
  const emu = await startEmulator(THROTTLED, DEV_BUDGET.requests, 3);
  const throttled = await runResyncBin("throttled", emu, DEV_BUDGET.requests, (await freshDatabase(kind, "clerk_resync_bench_throttled", tmp)).bin, app, recordsOf(THROTTLED));
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
// The measured processes run in an app of their own, so nothing of this repository's .env applies.
const app = path.join(tmp, "app");
mkdirSync(app);
writeFileSync(path.join(app, "package.json"), `${JSON.stringify({ name: "bench-app", private: true })}\n`);
const all: Record<string, ScenarioResult[]> = {};
try {
  for (const kind of kinds) all[kind] = await benchKind(kind, tmp, app);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const perRecord = (r: ScenarioResult | undefined) => (r ? r.wallMs / Math.max(1, r.records) : NaN);

/** The measures issue #25 sets goals on, from one kind's results (ratios against floors of the same run). */
function goalsOf(results: ScenarioResult[]) {
  const by = (name: string) => results.find((r) => r.scenario === name)!;
  const [full, noop] = [by("full"), by("noop")];
  const readFloor = results.find((r) => r.scenario === "read floor");
  return {
    clientCpuS: full.cpuMs / 1000,
    floorCpuS: full.floorCpuMs! / 1000,
    cpuRatio: full.cpuRatio!,
    noopCpuRatio: noop.cpuRatio!,
    noopRowsWritten: noop.rowsWritten,
    /** The read floor's CPU ÷ the floor's, and the no-op's ÷ the read floor's (PostgreSQL only). */
    readFloorCpuRatio: readFloor?.cpuRatio ?? null,
    noopCpuOverReadFloor: readFloor ? Number((noop.cpuMs / readFloor.cpuMs).toFixed(2)) : null,
    peakRssMB: { full: full.peakRssMB, noop: noop.peakRssMB },
    latencyRatio: { full: by("latency full").ratioToFloor!, noop: by("latency noop").ratioToFloor! },
    latency100kRatio: { full: by("latency 100k full").ratioToFloor!, noop: by("latency 100k noop").ratioToFloor! },
    requestsRatio: Number((Math.max(full.requests, noop.requests) / full.minRequests!).toFixed(3)),
    speedupVsBaseline: Number((perRecord(by("baseline")) / perRecord(full)).toFixed(1)),
  };
}

function formatGoals(g: ReturnType<typeof goalsOf>): string {
  const x = (v: number) => `${v.toFixed(2)}×`;
  return formatTable(
    ["measure", "measured", "goal"],
    [
      ["client CPU ÷ floor CPU, full", `${g.clientCpuS.toFixed(2)} s ÷ ${g.floorCpuS.toFixed(2)} s = ${x(g.cpuRatio)}`, "≤ 2.00×"],
      ["no-op CPU ÷ floor CPU", `${x(g.noopCpuRatio)}, ${g.noopRowsWritten} row writes`, "≤ 1.60×, 0 row writes"],
      ...(g.readFloorCpuRatio === null || g.noopCpuOverReadFloor === null
        ? []
        : [
            ["read floor CPU ÷ floor CPU (the pages and the database's rows, nothing else)", x(g.readFloorCpuRatio), "(no goal)"],
            ["no-op CPU ÷ read floor CPU", x(g.noopCpuOverReadFloor), "(no goal)"],
          ]),
      ["peak RSS, full / no-op", `${g.peakRssMB.full} / ${g.peakRssMB.noop} MB`, "≤ 300 MB"],
      [`latency, ${LATENCY.users} users: wall ÷ floor, full / no-op`, `${x(g.latencyRatio.full)} / ${x(g.latencyRatio.noop)}`, "≤ 1.50×"],
      [`latency, ${LATENCY_100K.users} users: wall ÷ floor, full / no-op`, `${x(g.latency100kRatio.full)} / ${x(g.latency100kRatio.noop)}`, "≤ 1.30×"],
      ["requests ÷ minimum", `${g.requestsRatio.toFixed(3)}×`, "≤ 1.02×"],
    ],
  );
}

const summary: Record<string, ReturnType<typeof goalsOf>> = {};
for (const [kind, results] of Object.entries(all)) {
  summary[kind] = goalsOf(results);
  process.stdout.write(
    `\n${kind} — ${DATASET.users} users, ${DATASET.orgs} orgs, ${DATASET.orgs * DATASET.membershipsPerOrg} memberships unthrottled; latency: ${LATENCY.users} and ${LATENCY_100K.users} users at ${LATENCY.latencyMs} ms/request (scale ${scale}, latency scale ${latencyScale}). ` +
      "Every row but baseline is `clerk-resync resync` (or the floor client) as a process of its own, start-up included; CPU is its process tree's, from the OS.\n",
  );
  process.stdout.write(
    `${formatTable(
      ["scenario", "wall s", "floor s", "ratio", "client CPU s", "CPU ÷ floor", "emulator CPU s", "cores busy", "records/s", "requests", "÷ min", "retries", "rows written", "peak RSS MB", "note"],
      results.map((r) => [
        r.scenario,
        (r.wallMs / 1000).toFixed(2),
        r.floorMs ? (r.floorMs / 1000).toFixed(2) : "",
        r.ratioToFloor ?? "",
        (r.cpuMs / 1000).toFixed(2),
        r.cpuRatio ?? "",
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
    )}\n\n${formatGoals(summary[kind]!)}\n`,
  );
}

const out = path.resolve(ROOT, values.out!);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ createdAt: new Date().toISOString(), scale, machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, dataset: DATASET, latencyDataset: LATENCY, latency100kDataset: LATENCY_100K, throttledDataset: THROTTLED, baselineUsers: BASELINE_USERS, startup, results: all, summary }, null, 2)}\n`,
);
process.stdout.write(`\nResults written to ${path.relative(ROOT, out)}\n`);

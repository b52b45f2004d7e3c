// A whole process as the shell sees it: wall time from spawn to exit, CPU time of its process tree
// as the OS counts it, peak RSS. The measure shared by the floor client and `clerk-resync resync`.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROBE = path.join(HERE, "usage-probe.mjs");
const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/**
 * User + system CPU (ms) of this process's children that have exited and been waited for,
 * grandchildren included: the kernel adds each reaped child's times to its parent's cutime and
 * cstime (/proc/self/stat fields 16 and 17).
 */
function reapedChildrenCpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): cutime is field 16, cstime field 17.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
}

/** Busy CPU time of the whole machine so far (ms, every core): the emulator and the database included. */
export function machineBusyMs(): number {
  return os.cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
}

export interface ProcessMeasure {
  wallMs: number;
  /** User + system CPU of the process and everything it started, from the OS (10 ms ticks). */
  cpuMs: number;
  peakRssMB: number;
  stdout: string;
}

/**
 * Runs `node [flags] script args` to its end and measures it. Only one measured process at a time:
 * the CPU reading counts every child reaped meanwhile (long-lived ones, like the emulator, are not).
 */
export async function measureProcess(script: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<ProcessMeasure> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clerk-resync-usage-"));
  const usageFile = path.join(dir, "usage.json");
  try {
    const cpuBefore = reapedChildrenCpuMs();
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", PROBE, script, ...args], {
      cwd: options.cwd,
      env: { ...options.env, BENCH_USAGE_FILE: usageFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const wallMs = performance.now() - started;
    const cpuMs = reapedChildrenCpuMs() - cpuBefore;
    if (code !== 0) throw new Error(`${path.basename(script)} ${args.join(" ")} exited ${code}:\n${stderr.slice(-2000)}`);
    const { maxRssKB } = JSON.parse(readFileSync(usageFile, "utf8")) as { maxRssKB: number };
    return { wallMs: Math.round(wallMs), cpuMs: Math.round(cpuMs), peakRssMB: Math.round(maxRssKB / 1024), stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

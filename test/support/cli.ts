import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "./database.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The bin as it ships: compiled JavaScript (scripts/run-tests.ts builds it before the suite), so
 * each test runs what users run and no child compiles TypeScript again.
 */
export const CLI = path.join(ROOT, "dist/cli.js");

/**
 * What every CLI child starts from: PATH, HOME, and a `pnpm dev` state file of this test process's
 * own that never exists. The checkout's .data/dev-state.json is written by any `dev` run from it
 * (another test file running at the same time, or the developer's), and a command run without
 * DATABASE_URL would then borrow that dev's database.
 */
export function childEnv(): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, CLERK_RESYNC_DEV_STATE: NO_DEV_STATE };
}
const NO_DEV_STATE = path.join(tmpdir(), `clerk-resync-test-no-dev-${process.pid}`, "dev-state.json");

/** Runs the real CLI in a child process, as a user would, with a controlled environment. */
export function runCli(args: string[], env: Record<string, string | undefined>, cwd = ROOT): Promise<CliRun> {
  return runNode([CLI, ...args], env, cwd);
}

/** Runs a TypeScript entry point of the project (a benchmark script) to its end. */
export function runEntry(entry: string, args: string[], env: Record<string, string | undefined>, cwd = ROOT): Promise<CliRun> {
  return runNode(["--import", "tsx", path.join(ROOT, entry), ...args], env, cwd);
}

function runNode(nodeArgs: string[], env: Record<string, string | undefined>, cwd: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, {
      cwd,
      env: { ...childEnv(), LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      // A warning in the CLI (a deprecation, a listener leak) fails the test that ran it.
      const warning = /\(node:\d+\) (\[\w+\] )?\w*Warning\b.*$/m.exec(stderr);
      if (warning) reject(new Error(`the CLI printed a process warning: ${warning[0]}\n${stderr}`));
      else resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

export interface TtyRun {
  /** What the terminal received, escape sequences and all (`\r\n` line ends). */
  output: string;
  code: number | null;
}

/**
 * Runs the real CLI on a pseudo-terminal (`script`), so stdin, stdout and stderr are TTYs:
 * progress lines, colours and questions behave as a person would see them. `interact` gets the
 * output so far and a way to type.
 */
export function runCliOnTty(
  args: string[],
  env: Record<string, string | undefined>,
  interact?: (output: () => string, type: (text: string) => void) => Promise<void> | void,
): Promise<TtyRun> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd: ROOT,
      env: { ...childEnv(), TERM: "xterm", LOG_LEVEL: "info", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ output, code }));
    Promise.resolve(interact?.(() => output, (text) => child.stdin.write(text))).catch(reject);
  });
}

/** Resolves once `output()` matches `pattern` (polling), or rejects after `ms`. */
export async function waitForOutput(output: () => string, pattern: RegExp, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pattern.test(output())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; output so far: ${JSON.stringify(output())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `db:reset` in its own process group and sends `signal` to the group once `step` is logged. */
export function resetInterruptedAt(step: string, signal: NodeJS.Signals, env: Record<string, string>, cwd = ROOT): Promise<{ how: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "reset"], {
      cwd,
      env: { ...childEnv(), LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stderr = "";
    let sent = false;
    child.stdout.resume();
    child.stderr.on("data", (d) => {
      stderr += d;
      if (!sent && stderr.includes(step)) {
        sent = true;
        process.kill(-child.pid!, signal);
      }
    });
    child.on("error", reject);
    child.on("close", (code, sig) => resolve({ how: sent ? `${code ?? sig}` : `ended (${code ?? sig}) before the step`, stderr }));
  });
}

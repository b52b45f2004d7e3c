import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, StepError } from "../errors.ts";
import { redactSecrets } from "../redact.ts";

/** A file of the app's own Prisma CLI package (its version, its engines); this package's only as a fallback. */
function resolvePrismaFile(cwd: string, file: string): string {
  for (const from of [path.join(cwd, "package.json"), import.meta.url]) {
    try {
      return createRequire(from).resolve(`prisma/${file}`);
    } catch {
      // not installed there: try the next place
    }
  }
  throw new ConfigError(`The Prisma CLI is not installed in ${cwd}: add it to the app (npm install -D prisma), then run the command again.`);
}

/** The major version of the app's Prisma CLI: 7 changed what `migrate reset` does and accepts. */
export function prismaMajorVersion(cwd: string): number {
  const file = resolvePrismaFile(cwd, "package.json");
  const { version } = JSON.parse(readFileSync(file, "utf8")) as { version?: string };
  const major = Number.parseInt(version ?? "", 10);
  if (!Number.isInteger(major)) throw new ConfigError(`Cannot tell which Prisma this app has: ${file} says version "${version}". Reinstall prisma (npm install -D prisma).`);
  return major;
}

export interface PrismaCliResult {
  code: number;
  output: string;
}

/**
 * Runs the project's own Prisma CLI against `databaseUrl`, so the CLI always uses the same
 * database as the tool (the embedded one included). Output is captured and returned; pass
 * `inherit` to stream it to the terminal instead.
 */
export async function runPrismaCli(
  args: readonly string[],
  options: { databaseUrl: string; cwd: string; inherit?: boolean; env?: NodeJS.ProcessEnv; forwardSignals?: boolean },
): Promise<PrismaCliResult> {
  const cli = resolvePrismaFile(options.cwd, "build/index.js");
  const preload = fileURLToPath(new URL("./prisma-cli-preload.cjs", import.meta.url));
  const child = spawn(process.execPath, ["--require", preload, cli, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, DATABASE_URL: options.databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    stdio: options.inherit ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  // `kill <pid>` reaches only us: pass it on, so the child ends with us and holds no database.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  if (options.forwardSignals) for (const s of ["SIGINT", "SIGTERM"] as const) process.on(s, forward);
  const code = await new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c) => resolve(c ?? 1));
  }).finally(() => {
    for (const s of ["SIGINT", "SIGTERM"] as const) process.off(s, forward);
  });
  return { code, output: redactSecrets(output) };
}

/**
 * Same as runPrismaCli, but a non-zero exit becomes a StepError carrying the tail of the CLI's
 * output; `context` adds what the user should know (e.g. where their backup is).
 */
export async function runPrismaCliOrThrow(
  args: readonly string[],
  options: Parameters<typeof runPrismaCli>[1] & { nextStep?: string; context?: string },
): Promise<PrismaCliResult> {
  const result = await runPrismaCli(args, options);
  if (result.code !== 0) {
    const tail = result.output.trim().split("\n").slice(-15).join("\n");
    const context = options.context ? `; ${options.context}` : "";
    throw new StepError(`prisma ${args.join(" ")} failed (exit ${result.code})${context}:\n${tail}`, options.nextStep);
  }
  return result;
}

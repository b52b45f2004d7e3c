import { spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "./database.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as `pnpm <script>` would, with a controlled environment. */
export function runCli(args: string[], env: Record<string, string | undefined>, cwd = ROOT): Promise<CliRun> {
  return runEntry("src/cli.ts", args, env, cwd);
}

/** Runs a TypeScript entry point of the project (`src/cli.ts`, `src/clerk-emulator/main.ts`) to its end. */
export function runEntry(entry: string, args: string[], env: Record<string, string | undefined>, cwd = ROOT): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, entry), ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

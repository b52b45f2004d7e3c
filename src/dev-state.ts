// `pnpm dev` tells other shells where its services are: a small state file (mode 0600, it holds
// the emulator's key) that any command with no DATABASE_URL or no CLERK_SECRET_KEY picks up while
// that dev runs. A file whose pid is gone is ignored.
import { readFileSync, unlinkSync } from "node:fs";
import { z } from "zod";
import type { Config } from "./config.ts";
import { isAlive } from "./db/lock-file.ts";
import type { Logger } from "./log.ts";
import { maskUrlPassword } from "./redact.ts";
import { writeAtomic } from "./sidecar/files.ts";

const devStateSchema = z.object({
  pid: z.number().int(),
  started: z.string(),
  databaseUrl: z.string(),
  /** Set when dev serves the embedded database of this folder: its folder lock routes others to it. */
  embeddedDir: z.string().optional(),
  clerkApiUrl: z.string().optional(),
  clerkSecretKey: z.string().optional(),
});

export type DevState = z.infer<typeof devStateSchema>;

/** Written whole (temp file, then rename) and readable by its owner only. */
export function writeDevState(file: string, state: DevState): void {
  writeAtomic(file, `${JSON.stringify(state, null, 2)}\n`, { what: "dev's state file", instead: "or point CLERK_RESYNC_DEV_STATE at a writable place" });
}

/** Removes the file if it is still this process's (another dev may have started since). */
export function removeDevState(file: string): void {
  if (readDevState(file)?.pid === process.pid) unlinkSync(file);
}

export function readDevState(file: string): DevState | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = devStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The state of a `pnpm dev` still running, if any. */
export function readLiveDevState(file: string): DevState | undefined {
  const state = readDevState(file);
  return state && state.pid !== process.pid && isAlive(state.pid) ? state : undefined;
}

/**
 * The config with what it lacks filled from a running `pnpm dev`: its database when DATABASE_URL
 * is unset, its emulator (URL and key together) when CLERK_SECRET_KEY is. Says what it chose.
 */
export function withRunningDev(config: Config, log: Logger): Config {
  if (config.databaseUrl && config.clerk.secretKey) return config;
  const dev = readLiveDevState(config.devStateFile);
  if (!dev) return config;
  const where = `\`pnpm dev\` (pid ${dev.pid}, ${config.devStateFile})`;
  let next = config;
  // The same embedded folder needs nothing: its lock file already sends every command to dev's server.
  if (!config.databaseUrl && dev.embeddedDir !== config.pgliteDir) {
    next = { ...next, databaseUrl: dev.databaseUrl };
    log.info(`DATABASE_URL not set: using the database of ${where}: ${maskUrlPassword(dev.databaseUrl)}`);
  }
  if (!config.clerk.secretKey && dev.clerkSecretKey && dev.clerkApiUrl) {
    next = { ...next, clerk: { ...next.clerk, secretKey: dev.clerkSecretKey, apiUrl: dev.clerkApiUrl } };
    log.info(`CLERK_SECRET_KEY not set: using the Clerk emulator of ${where} at ${dev.clerkApiUrl}`);
  }
  return next;
}

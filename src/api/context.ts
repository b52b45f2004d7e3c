// What every programmatic call starts from, as the CLI does: the app's root (from `cwd`), its .env
// files, its configuration, a logger.
import { loadConfig, type Config } from "../config.ts";
import { loadEnvFiles } from "../env-files.ts";
import { createLogger, silentLogger, type Logger } from "../log.ts";
import { findProjectRoot } from "../project-root.ts";

export interface ApiOptions {
  /** A folder of the app (default: process.cwd()); its nearest package.json marks the root. */
  cwd?: string;
  /** Configuration variables (default: process.env, with the app's .env.local and .env under it). */
  env?: NodeJS.ProcessEnv;
  /** A pino logger of yours, or a level for JSON lines on stderr (default: silent). */
  logger?: Logger | string;
}

export function apiContext(options: ApiOptions): { config: Config; log: Logger } {
  const root = findProjectRoot(options.cwd);
  let env = options.env;
  if (!env) {
    loadEnvFiles(root);
    env = process.env;
  }
  const config = loadConfig(env, root);
  const log =
    typeof options.logger === "object"
      ? options.logger
      : options.logger
        ? createLogger({ level: options.logger, secrets: config.clerk.secretKey ? [config.clerk.secretKey] : [] })
        : silentLogger;
  return { config, log };
}

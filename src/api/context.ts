// What every programmatic call starts from, as the CLI does: the app's root (from `cwd`), its .env
// files, its configuration, a logger.
import { loadAppContext, type AppContextOptions } from "../app-context.ts";
import type { Config } from "../config.ts";
import { createLogger, silentLogger, type Logger } from "../log.ts";

export interface ApiOptions extends AppContextOptions {
  /** A pino logger of yours, or a level for JSON lines on stderr (default: silent). */
  logger?: Logger | string;
}

export async function apiContext(options: ApiOptions): Promise<{ config: Config; log: Logger }> {
  const config = await loadAppContext(options);
  const log =
    typeof options.logger === "object"
      ? options.logger
      : options.logger
        ? createLogger({ level: options.logger, secrets: config.clerk.secretKey ? [config.clerk.secretKey] : [] })
        : silentLogger;
  return { config, log };
}

import { requireSecretKey, type Config } from "../config.ts";
import { SafetyError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { ClerkApi } from "./client.ts";

/** The Clerk client for this config. A production key is refused unless explicitly allowed. */
export function createClerkApi(config: Config, log: Logger, options: { allowProduction?: boolean; requestsPerWindow?: number } = {}): ClerkApi {
  const secretKey = requireSecretKey(config);
  if (secretKey.startsWith("sk_live_") && !options.allowProduction) {
    throw new SafetyError("CLERK_SECRET_KEY is a production key (sk_live_…). clerk-resync is for development databases; pass --allow-production if you really mean it.");
  }
  return new ClerkApi({
    secretKey,
    apiUrl: config.clerk.apiUrl,
    requestsPerWindow: options.requestsPerWindow ?? config.clerk.requestsPerWindow,
    windowMs: config.clerk.windowMs,
    log,
  });
}

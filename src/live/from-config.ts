// The webhook handler as configuration says it: one place for the CLI receiver and the app's route.
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { ConfigError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { readResetUnderWay } from "../reset/under-way.ts";
import { createClerkWebhookHandler, type ClerkWebhookHandler } from "./handler.ts";

/** The signing secret, or the one line that says where to get it. */
export function requireWebhookSecret(config: Config): string {
  if (config.webhookSigningSecret) return config.webhookSigningSecret;
  throw new ConfigError(
    "CLERK_WEBHOOK_SIGNING_SECRET is not set: copy your webhook endpoint's signing secret (Clerk Dashboard → Webhooks → endpoint → Signing Secret, whsec_…) into .env, or the one `pnpm clerk:emulator --webhook-url …` prints",
  );
}

export function createWebhookHandlerFromConfig(config: Config, db: Database, log: Logger): ClerkWebhookHandler {
  return createClerkWebhookHandler({
    pool: db.pool,
    oneAtATime: db.pglite,
    signingSecret: requireWebhookSecret(config),
    sidecarDir: config.sidecarDir,
    log,
    map: { privateMetadata: config.mirrorPrivateMetadata },
    mirror: config.mirror,
    resetUnderWay: () => readResetUnderWay(config.sidecarDir) !== undefined,
    bodyLimitBytes: config.webhookBodyLimitBytes,
  });
}

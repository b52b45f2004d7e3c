// For the app's own route: `export const POST = handleClerkWebhook` (Next.js route handler), or
// `app.post("/webhooks/clerk", (c) => handleClerkWebhook(c.req.raw))` (Hono). Configured like
// every clerk-resync command (DATABASE_URL, CLERK_WEBHOOK_SIGNING_SECRET, …), opened on first use.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config.ts";
import { loadEnvFiles } from "../env-files.ts";
import { openDatabase } from "../db/database.ts";
import { createLogger } from "../log.ts";
import { createWebhookHandlerFromConfig, requireWebhookSecret } from "./from-config.ts";
import type { ClerkWebhookHandler } from "./handler.ts";

export { createClerkWebhookHandler, type ClerkWebhookHandler, type WebhookHandlerDeps, type WebhookStats } from "./handler.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let ready: Promise<ClerkWebhookHandler> | undefined;

async function open(): Promise<ClerkWebhookHandler> {
  // The project's root, as the CLI resolves it: the app's route runs with another working directory.
  loadEnvFiles(ROOT);
  const config = loadConfig(process.env, ROOT);
  const secret = requireWebhookSecret(config);
  const log = createLogger({ level: config.logLevel, secrets: [config.clerk.secretKey ?? "", secret], pretty: false });
  const db = await openDatabase(config, log, { command: "webhook handler", needsSchema: true });
  return createWebhookHandlerFromConfig(config, db, log);
}

export async function handleClerkWebhook(request: Request): Promise<Response> {
  ready ??= open();
  ready.catch(() => (ready = undefined));
  return (await ready)(request);
}

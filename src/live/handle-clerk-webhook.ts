// For the app's own route: `export const POST = handleClerkWebhook` (Next.js route handler), or
// `app.post("/webhooks/clerk", (c) => handleClerkWebhook(c.req.raw))` (Hono). Configured like
// every clerk-resync command (DATABASE_URL, CLERK_WEBHOOK_SIGNING_SECRET, clerk-resync.config.ts),
// opened on first use.
import { loadAppContext } from "../app-context.ts";
import { ConfigError, ConfigFileLoadError } from "../errors.ts";
import { openDatabase } from "../db/database.ts";
import { createLogger } from "../log.ts";
import { createWebhookHandlerFromConfig, requireWebhookSecret } from "./from-config.ts";
import type { ClerkWebhookHandler } from "./handler.ts";
import type { ClerkResyncConfig } from "../define-config.ts";

export { createClerkWebhookHandler, type ClerkWebhookHandler, type WebhookHandlerDeps, type WebhookStats } from "./handler.ts";

let ready: Promise<ClerkWebhookHandler> | undefined;

async function open(appConfig: undefined | ClerkResyncConfig): Promise<ClerkWebhookHandler> {
  // The app's root, as the CLI finds it: the server runs in the app's folder.
  const config = await loadAppContext({ appConfig }).catch((err: unknown) => {
    // A bundler (Next.js) cannot load the config file at run time; the route can import it.
    if (appConfig || !(err instanceof ConfigFileLoadError)) throw err;
    throw new ConfigError(`${err.message}. In a bundled route, import the config and pass it: \`export const POST = clerkWebhookRoute(config)\` (clerk-resync/webhooks).`, { cause: err });
  });
  const secret = requireWebhookSecret(config);
  const log = createLogger({ level: config.logLevel, secrets: [config.clerk.secretKey ?? "", secret], pretty: false });
  const db = await openDatabase(config, log, { command: "webhook handler", needsSchema: true });
  return createWebhookHandlerFromConfig(config, db, log);
}

/**
 * Configured as the CLI is, the app's clerk-resync.config.ts included (its `mirror` says which
 * tables the events go to). Where the file cannot be loaded at run time (a bundled route), the
 * first request fails naming clerkWebhookRoute.
 */
export async function handleClerkWebhook(request: Request): Promise<Response> {
  ready ??= open(undefined);
  ready.catch(() => (ready = undefined));
  return (await ready)(request);
}

/**
 * A route for an app with a `mirror` mapping, which passes the config it imports:
 * `export const POST = clerkWebhookRoute(config)` (the bundler resolves clerk-resync.config.ts).
 */
export function clerkWebhookRoute(appConfig: ClerkResyncConfig): (request: Request) => Promise<Response> {
  let handler: Promise<ClerkWebhookHandler> | undefined;
  return async (request) => {
    handler ??= open(appConfig);
    handler.catch(() => (handler = undefined));
    return (await handler)(request);
  };
}

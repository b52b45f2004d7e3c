import { openDatabase } from "../db/database.ts";
import { EXIT } from "../errors.ts";
import { createWebhookHandlerFromConfig, requireWebhookSecret } from "../live/from-config.ts";
import { DEFAULT_MAX_CONNECTIONS } from "../live/limits.ts";
import { startWebhookReceiver } from "../live/server.ts";
import { stopOnSignals, untilAborted } from "../stop-signals.ts";
import { defineCommand } from "./context.ts";

/**
 * `pnpm clerk:webhooks`: Clerk's webhooks into the mirror, through the resync's own write path,
 * until Ctrl-C. During a db:reset it answers 503, so Svix delivers again once the reset is done.
 */
export const webhooksCommand = defineCommand({
  spec: {
    flags: {
      port: { type: "integer", value: "N", default: 4020, min: 0, max: 65535, description: "Port to listen on (0 = any free port)" },
      host: { type: "string", value: "HOST", default: "127.0.0.1", description: "Address to listen on" },
      "max-body": { type: "integer", value: "BYTES", min: 1, description: "Largest body read; larger get 413 (default CLERK_WEBHOOK_BODY_LIMIT_BYTES, 1 MB)" },
      "max-connections": { type: "integer", value: "N", default: DEFAULT_MAX_CONNECTIONS, min: 1, description: "Open connections at once; more get 503 with Retry-After" },
    },
    example: "clerk-resync webhooks --port 4020",
  },
  async run(ctx, { values }) {
    const port = values.port;
    requireWebhookSecret(ctx.config);
    const db = await openDatabase(ctx.config, ctx.log, { command: "clerk:webhooks", needsSchema: true });
    try {
      const config = values["max-body"] ? { ...ctx.config, webhookBodyLimitBytes: values["max-body"] } : ctx.config;
      const handler = createWebhookHandlerFromConfig(config, db, ctx.log);
      const receiver = await startWebhookReceiver(handler, { port, host: values.host, maxConnections: values["max-connections"] });
      const health = receiver.url.replace(/\/webhooks\/clerk$/, "/healthz");
      // Before the ready line: whoever reads it may signal at once.
      const stop = stopOnSignals(ctx.log, { what: "finishing the deliveries under way" });
      ctx.out.result({ url: receiver.url, health });
      ctx.out.line(`Receiving Clerk webhooks at ${receiver.url} (health: ${health}). Ctrl-C stops.`);
      await untilAborted(stop.signal);
      await receiver.close();
      stop.dispose();
      ctx.log.info(handler.stats, "webhook receiver stopped");
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});

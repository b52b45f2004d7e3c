import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { openDatabase } from "../db/database.ts";
import { ConfigError, EXIT, UsageError } from "../errors.ts";
import { createClerkWebhookHandler } from "../live/handler.ts";
import { startWebhookReceiver } from "../live/server.ts";
import { journalPath } from "../reset/journal.ts";
import type { Command } from "./context.ts";

/**
 * `pnpm clerk:webhooks`: Clerk's webhooks into the mirror, through the resync's own write path,
 * until Ctrl-C. During a db:reset it answers 503, so Svix delivers again once the reset is done.
 */
export const webhooksCommand: Command = {
  summary: "Receive Clerk webhooks (POST /webhooks/clerk, GET /healthz) and apply them to the mirror until Ctrl-C",
  usage: "clerk:webhooks [--port 4020] [--host 127.0.0.1]",
  async run(ctx, args) {
    const { values } = parseArgs({ args, options: { port: { type: "string", default: "4020" }, host: { type: "string", default: "127.0.0.1" } } });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0-65535), got "${values.port}"`);
    const signingSecret = ctx.config.webhookSigningSecret;
    if (!signingSecret) {
      throw new ConfigError(
        "CLERK_WEBHOOK_SIGNING_SECRET is not set: copy your webhook endpoint's signing secret (Clerk Dashboard → Webhooks → endpoint → Signing Secret, whsec_…) into .env, or the one `pnpm clerk:emulator --webhook-url …` prints",
      );
    }
    const db = await openDatabase(ctx.config, ctx.log, { command: "clerk:webhooks", needsSchema: true });
    try {
      const handler = createClerkWebhookHandler({
        pool: db.pool,
        oneAtATime: db.pglite,
        signingSecret,
        sidecarDir: ctx.config.sidecarDir,
        log: ctx.log,
        map: { privateMetadata: ctx.config.mirrorPrivateMetadata },
        resetUnderWay: () => existsSync(journalPath(ctx.config.sidecarDir)),
      });
      const receiver = await startWebhookReceiver(handler, { port, host: values.host });
      ctx.out.result({ url: receiver.url, health: receiver.url.replace(/\/webhooks\/clerk$/, "/healthz") });
      ctx.out.line(`Receiving Clerk webhooks at ${receiver.url} (health: ${receiver.url.replace(/\/webhooks\/clerk$/, "/healthz")}). Ctrl-C stops.`);
      // `on`, not `once`: a lock's own signal hook re-raises a signal nobody else still listens to.
      let stop = () => {};
      await new Promise<void>((resolve) => {
        stop = resolve;
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      await receiver.close();
      ctx.log.info(handler.stats, "webhook receiver stopped");
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
};

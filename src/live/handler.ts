// The webhook endpoint as a Fetch API handler (Request → Response), so it drops into a Next.js
// route handler, Hono, or `pnpm clerk:webhooks`. Status codes follow what Svix does with them:
// 2xx is done; anything else is retried, so only a delivery that can never work gets a 4xx.
import { verifyWebhook } from "@clerk/backend/webhooks";
import type pg from "pg";
import { errorMessage } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { MapOptions } from "../sync/map.ts";
import { applyLiveEvent, NotYetApplicable, pruneDeliveryLedger, type EventOutcome } from "./apply-event.ts";
import { parseLiveEvent, UnusableEvent } from "./event.ts";

export interface WebhookHandlerDeps {
  pool: pg.Pool;
  /** `whsec_…` of the Clerk webhook endpoint. */
  signingSecret: string;
  sidecarDir: string;
  log: Logger;
  map?: MapOptions;
  /** A reset is rebuilding the database: answer 503 so Svix delivers again later. */
  resetUnderWay?: () => boolean | Promise<boolean>;
}

export interface WebhookStats {
  received: number;
  applied: number;
  duplicates: number;
  /** 4xx: bad signature, stale timestamp, malformed body, unknown type, another instance. */
  rejected: number;
  /** 5xx: database errors, not yet applicable, reset under way (Svix retries these). */
  failed: number;
  outcomes: Partial<Record<EventOutcome, number>>;
  lastEventAt: string | null;
  /** From Clerk's event timestamp to applied, for the last event (ms). */
  lastLagMs: number | null;
}

export interface ClerkWebhookHandler {
  (request: Request): Promise<Response>;
  readonly stats: WebhookStats;
}

const reply = (status: number, body: Record<string, unknown>) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export function createClerkWebhookHandler(deps: WebhookHandlerDeps): ClerkWebhookHandler {
  const stats: WebhookStats = { received: 0, applied: 0, duplicates: 0, rejected: 0, failed: 0, outcomes: {}, lastEventAt: null, lastLagMs: null };
  const reject = (status: number, reason: string) => {
    stats.rejected += 1;
    deps.log.warn({ status, reason }, "webhook rejected");
    return reply(status, { error: reason });
  };
  const fail = (status: number, reason: string, headers: Record<string, string> = {}) => {
    stats.failed += 1;
    deps.log.warn({ status, reason }, "webhook not applied; Svix will retry");
    const res = reply(status, { error: reason });
    for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
    return res;
  };
  const handler = async (request: Request): Promise<Response> => {
    stats.received += 1;
    if (request.method !== "POST") return reject(405, "POST only");
    const svixId = request.headers.get("svix-id");
    if (!svixId || !request.headers.get("svix-timestamp") || !request.headers.get("svix-signature")) return reject(400, "missing Svix headers (svix-id, svix-timestamp, svix-signature)");
    let payload: unknown;
    try {
      payload = await verifyWebhook(request, { signingSecret: deps.signingSecret });
    } catch (err) {
      const why = errorMessage(err);
      // verifyWebhook parses the body after checking the signature: a bad body is not a bad signature.
      if (/JSON/.test(why)) return reject(400, `malformed body: ${why}`);
      return reject(401, /timestamp/i.test(why) ? `stale or invalid svix-timestamp (${why})` : `bad signature (${why})`);
    }
    let event;
    try {
      event = parseLiveEvent(payload);
    } catch (err) {
      return reject(400, errorMessage(err));
    }
    if (await deps.resetUnderWay?.()) return fail(503, "a db:reset is rebuilding the database; deliver again later", { "retry-after": "5" });
    try {
      const outcome = await applyLiveEvent(deps.pool, svixId, event, { sidecarDir: deps.sidecarDir, map: deps.map ?? { privateMetadata: false } });
      stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + 1;
      if (outcome === "duplicate") stats.duplicates += 1;
      else stats.applied += 1;
      stats.lastEventAt = new Date().toISOString();
      stats.lastLagMs = event.timestamp ? Date.now() - event.timestamp : null;
      deps.log.debug({ type: event.type, id: event.change.id, outcome }, "webhook applied");
      if (stats.applied % 1000 === 1) await pruneDeliveryLedger(deps.pool).catch(() => 0);
      return reply(200, { outcome, id: event.change.id });
    } catch (err) {
      if (err instanceof UnusableEvent) return reject(400, err.message);
      if (err instanceof NotYetApplicable) return fail(409, err.message);
      // The database failed (down, locked, being reset): a retry may well succeed.
      return fail(503, `database error: ${errorMessage(err)}`);
    }
  };
  return Object.assign(handler, { stats });
}

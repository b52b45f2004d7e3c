// The webhook endpoint as a Fetch API handler (Request → Response), so it drops into a Next.js
// route handler, Hono, or `pnpm clerk:webhooks`. Status codes follow what Svix does with them:
// 2xx is done; anything else is retried, so only a delivery that can never work gets a 4xx.
import { verifyWebhook } from "@clerk/backend/webhooks";
import type pg from "pg";
import { Webhook } from "standardwebhooks";
import { errorMessage } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { MapOptions } from "../sync/map.ts";
import type { Mirror } from "../mirror/columns.ts";
import { applyLiveEvent, NotYetApplicable, recordIgnoredEvent, type EventOutcome } from "./apply-event.ts";
import { pruneDeliveryLedger } from "../mirror/delivery-ledger.ts";
import { isHandledEventType, parseLiveEvent, UnusableEvent } from "./event.ts";
import { BodyTooLarge, declaredTooLarge, DEFAULT_BODY_LIMIT_BYTES, DEFAULT_MAX_IN_FLIGHT, readBodyWithin, RETRY_AFTER_SECONDS } from "./limits.ts";

export interface WebhookHandlerDeps {
  pool: pg.Pool;
  /** `whsec_…` of the Clerk webhook endpoint. */
  signingSecret: string;
  sidecarDir: string;
  log: Logger;
  map?: MapOptions;
  /** Where Clerk's records live in the app's database (default: clerk-resync's own schema). */
  mirror?: Mirror;
  /**
   * Apply one delivery at a time. The embedded database needs it: PGlite serves every connection
   * from one backend session, and concurrent extended-protocol queries can interleave there.
   */
  oneAtATime?: boolean;
  /** A reset is rebuilding the database: answer 503 so Svix delivers again later. */
  resetUnderWay?: () => boolean | Promise<boolean>;
  /** Largest body read (default 1 MB); larger ones get 413 before the signature is checked. */
  bodyLimitBytes?: number;
  /** Deliveries verified or applied at once (default 32); more get 503 with Retry-After. */
  maxInFlight?: number;
}

export interface WebhookStats {
  received: number;
  applied: number;
  duplicates: number;
  /** Signed events of a type the mirror does not follow: 200 `ignored`, in the ledger. */
  ignored: number;
  /** 4xx: bad signature, stale timestamp, malformed body, too large, another instance. */
  rejected: number;
  /** 5xx: database errors, not yet applicable, reset under way, too busy (Svix retries these). */
  failed: number;
  outcomes: Partial<Record<EventOutcome, number>>;
  lastEventAt: string | null;
  /** From Clerk's event timestamp to applied, for the last event (ms). */
  lastLagMs: number | null;
}

export interface ClerkWebhookHandler {
  (request: Request): Promise<Response>;
  readonly stats: WebhookStats;
  /** The body limit this handler enforces (the HTTP server refuses on it too, before reading). */
  readonly bodyLimitBytes: number;
}

const reply = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** 413, shared with the HTTP server: the same words whichever layer refuses. */
export const tooLargeReply = (limitBytes: number): Response => reply(413, { error: `body over the ${limitBytes} byte limit; Clerk's events are far smaller` }, { connection: "close" });
/** 503 when full, shared with the HTTP server. */
export const busyReply = (what: string): Response => reply(503, { error: `${what}; deliver again later` }, { "retry-after": String(RETRY_AFTER_SECONDS) });

/** Whether the body carries a valid Svix signature, whatever it holds: tells 400 from 401. */
function signatureHolds(secret: string, request: Request, body: string): boolean {
  try {
    const h = (name: string) => request.headers.get(`svix-${name}`) ?? "";
    new Webhook(secret).verify(body, { "webhook-id": h("id"), "webhook-timestamp": h("timestamp"), "webhook-signature": h("signature") }, { jsonParse: false });
    return true;
  } catch {
    return false;
  }
}

export function createClerkWebhookHandler(deps: WebhookHandlerDeps): ClerkWebhookHandler {
  const stats: WebhookStats = { received: 0, applied: 0, duplicates: 0, ignored: 0, rejected: 0, failed: 0, outcomes: {}, lastEventAt: null, lastLagMs: null };
  const bodyLimitBytes = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const maxInFlight = deps.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  let inFlight = 0;
  const reject = (status: number, reason: string, response = reply(status, { error: reason })) => {
    stats.rejected += 1;
    deps.log.warn({ status, reason }, "webhook rejected");
    return response;
  };
  const fail = (status: number, reason: string, response = reply(status, { error: reason })) => {
    stats.failed += 1;
    deps.log.warn({ status, reason }, "webhook not applied; Svix will retry");
    return response;
  };
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    if (!deps.oneAtATime) return work();
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };
  const handle = async (request: Request): Promise<Response> => {
    const svixId = request.headers.get("svix-id");
    if (!svixId || !request.headers.get("svix-timestamp") || !request.headers.get("svix-signature")) return reject(400, "missing Svix headers (svix-id, svix-timestamp, svix-signature)");
    let body: string;
    try {
      body = await readBodyWithin(request, bodyLimitBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) return reject(413, err.message, tooLargeReply(bodyLimitBytes));
      throw err;
    }
    let payload: { type?: unknown };
    try {
      payload = await verifyWebhook(new Request(request.url, { method: "POST", headers: request.headers, body }), { signingSecret: deps.signingSecret });
    } catch (err) {
      const why = errorMessage(err);
      // verifyWebhook parses the body after checking the signature: a bad body is not a bad signature.
      if (signatureHolds(deps.signingSecret, request, body)) return reject(400, body.trim() === "" ? "signed body is empty; a Clerk event is a JSON object" : `signed body is not a JSON event object (${why})`);
      return reject(401, /timestamp/i.test(why) ? `stale or invalid svix-timestamp (${why})` : `bad signature (${why})`);
    }
    if (await deps.resetUnderWay?.()) return fail(503, "a db:reset is rebuilding the database", busyReply("a db:reset is rebuilding the database"));
    // Clerk sends many types the mirror has no use for (session.*, email.*): 200, or Svix retries them for a day.
    if (typeof payload.type === "string" && !isHandledEventType(payload.type)) return ignore(svixId, payload.type);
    let event;
    try {
      event = parseLiveEvent(payload);
    } catch (err) {
      return reject(400, errorMessage(err));
    }
    try {
      const outcome = await inTurn(() => applyLiveEvent(deps.pool, svixId, event, { sidecarDir: deps.sidecarDir, map: deps.map ?? { privateMetadata: false }, mirror: deps.mirror }));
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
  const ignore = async (svixId: string, type: string): Promise<Response> => {
    try {
      const first = await inTurn(() => recordIgnoredEvent(deps.pool, svixId, type));
      stats.ignored += 1;
      deps.log.info({ type, svixId, first }, "webhook ignored: the mirror does not follow this event type");
      return reply(200, { status: "ignored", type });
    } catch (err) {
      return fail(503, `database error: ${errorMessage(err)}`);
    }
  };
  const handler = async (request: Request): Promise<Response> => {
    stats.received += 1;
    if (request.method !== "POST") return reject(405, "POST only");
    // Before a byte of the body is read, so a huge one costs nothing.
    if (declaredTooLarge(request.headers.get("content-length"), bodyLimitBytes)) return reject(413, `body over the ${bodyLimitBytes} byte limit`, tooLargeReply(bodyLimitBytes));
    if (inFlight >= maxInFlight) return fail(503, `${maxInFlight} deliveries in flight`, busyReply(`${maxInFlight} deliveries already in flight`));
    inFlight += 1;
    try {
      return await handle(request);
    } finally {
      inFlight -= 1;
    }
  };
  return Object.assign(handler, { stats, bodyLimitBytes });
}

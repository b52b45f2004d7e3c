// `pnpm clerk:webhooks`: the webhook handler on node's http server. POST /webhooks/clerk and
// GET /healthz (last event, counts, lag). Bounded: a body over the limit is refused on its
// Content-Length or as soon as the bytes read pass it, never buffered; slow clients time out;
// connections and buffered bytes are capped, and over a cap the answer is 503 with Retry-After.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { busyReply, tooLargeReply, type ClerkWebhookHandler } from "./handler.ts";
import { toWebRequest, writeResponse } from "./node-http.ts";
import { declaredTooLarge, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS, RETRY_AFTER_SECONDS } from "./limits.ts";

export const WEBHOOK_PATH = "/webhooks/clerk";
/** Body bytes held at once across all requests: 1,000 slow clients cost little, 100 big ones no more than this. */
export const DEFAULT_BUFFERED_BYTES_BUDGET = 64 * 1024 * 1024;
/** After a 413 the client may still be sending: long enough for it to read the answer, then the socket goes. */
const LINGER_MS = 500;

export interface ReceiverOptions {
  port?: number;
  host?: string;
  /** Open connections at once (default 2048); more get a raw 503 and are closed. */
  maxConnections?: number;
  /** Headers and the whole request must arrive within this (default 30 s); then 408 and closed. */
  requestTimeoutMs?: number;
  /** Body bytes buffered across all requests (default 64 MB); a request that would pass it gets 503. */
  bufferedBytesBudget?: number;
}

export interface ReceiverStats {
  openConnections: number;
  /** Answered 503 at connect: over maxConnections. */
  refusedConnections: number;
  /** Answered 413 by the server, before the handler saw the request. */
  tooLarge: number;
  /** Answered 503 by the server: the buffered-bytes budget was spent. */
  overBudget: number;
}

export interface RunningReceiver {
  url: string;
  readonly stats: ReceiverStats;
  close(): Promise<void>;
}

/** Written straight to a socket over the cap: no parser, no request object, no handler. */
const BUSY_BODY = JSON.stringify({ error: "too many connections; deliver again later" });
const RAW_BUSY =
  `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: ${RETRY_AFTER_SECONDS}\r\n` +
  `connection: close\r\ncontent-length: ${Buffer.byteLength(BUSY_BODY)}\r\n\r\n${BUSY_BODY}`;
/** On close, deliveries under way get this long to finish before their sockets are cut. */
const CLOSE_GRACE_MS = 2000;

/**
 * Answers, then closes: the rest of the body is discarded as it comes (never kept), and the socket
 * goes once the client has had time to read the answer. Not reading at all would leave unread
 * bytes at the close, which resets the connection and can lose the 413 (measured: 1 in 10).
 */
function refuseAndClose(req: http.IncomingMessage, res: http.ServerResponse, response: Response): void {
  req.removeAllListeners("data");
  req.resume();
  res.once("finish", () => setTimeout(() => req.socket.destroy(), LINGER_MS).unref());
  void writeResponse(res, response);
}

export async function startWebhookReceiver(handler: ClerkWebhookHandler, options: ReceiverOptions = {}): Promise<RunningReceiver> {
  const limit = handler.bodyLimitBytes;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const budget = options.bufferedBytesBudget ?? DEFAULT_BUFFERED_BYTES_BUDGET;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const stats: ReceiverStats = { openConnections: 0, refusedConnections: 0, tooLarge: 0, overBudget: 0 };
  let buffered = 0;
  const refused = new WeakSet<Socket>();

  const receive = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (declaredTooLarge(req.headers["content-length"], limit)) {
      stats.tooLarge += 1;
      return refuseAndClose(req, res, tooLargeReply(limit));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const giveBack = () => {
      buffered -= size;
      size = 0;
    };
    req.on("data", (chunk: Buffer) => {
      if (size + chunk.length > limit) {
        giveBack();
        stats.tooLarge += 1;
        return refuseAndClose(req, res, tooLargeReply(limit));
      }
      if (buffered + chunk.length > budget) {
        giveBack();
        stats.overBudget += 1;
        return refuseAndClose(req, res, busyReply("the receiver holds too many bodies at once"));
      }
      size += chunk.length;
      buffered += chunk.length;
      chunks.push(chunk);
    });
    req.once("close", giveBack);
    req.once("end", () => {
      const body = Buffer.concat(chunks);
      giveBack();
      let request: Request;
      try {
        request = toWebRequest(Object.assign(req, { body }));
      } catch {
        return void writeResponse(res, Response.json({ error: "malformed request" }, { status: 400 }));
      }
      handler(request)
        .then((response) => writeResponse(res, response))
        .catch(() => res.destroy());
    });
  };

  const server = http.createServer(
    // Node checks these timers only every connectionsCheckingInterval (30 s by default): check often.
    { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(requestTimeout / 4))) },
    (req, res) => {
      if (refused.has(req.socket)) return;
      const path = (req.url ?? "/").split("?")[0];
      void (async () => {
        if (req.method === "GET" && path === "/healthz") return writeResponse(res, Response.json({ ok: true, ...handler.stats, receiver: stats }));
        if (path !== WEBHOOK_PATH) return writeResponse(res, Response.json({ error: `not found: POST ${WEBHOOK_PATH} or GET /healthz` }, { status: 404 }));
        if (req.method !== "POST") return writeResponse(res, await handler(new Request(`http://localhost${WEBHOOK_PATH}`, { method: req.method })));
        receive(req, res);
      })().catch((err) => {
        if (res.headersSent || res.destroyed) return void res.destroy();
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: String(err) }));
      });
    },
  );
  server.on("connection", (socket: Socket) => {
    if (stats.openConnections >= maxConnections) {
      stats.refusedConnections += 1;
      refused.add(socket);
      socket.end(RAW_BUSY);
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
      return;
    }
    stats.openConnections += 1;
    socket.once("close", () => (stats.openConnections -= 1));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}${WEBHOOK_PATH}`,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() for 5 s, slow clients until they time out.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      }),
  };
}

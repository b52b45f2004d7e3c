// Between node's http (or Express) and fetch-style handlers: a node request as a web Request, a
// web Response written to node's response. Used by the receiver and by toNodeHandler.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

/** node's request, plus what Express may have set on it (`_body` is body-parser's "I read it"). */
export type NodeRequest = IncomingMessage & { body?: unknown; originalUrl?: string; _body?: boolean };

const PARSED_BODY =
  "the webhook body was already parsed (express.json() ran first), so its Svix signature cannot be checked: " +
  'mount the route before express.json(), or give it express.raw({ type: "application/json" })';

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === "transfer-encoding") continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

/**
 * The raw body: the bytes express.raw() kept, or the stream itself (read by the handler within its
 * limit). Express 4 sets `body = {}` on requests its parsers let through unread: only a body that
 * was read (`_body`, or the stream ended) counts as parsed.
 */
function bodyOf(req: NodeRequest): Uint8Array | string | ReadableStream<Uint8Array> | null {
  if (req.method === "GET" || req.method === "HEAD") return null;
  if (Buffer.isBuffer(req.body)) return new Uint8Array(req.body);
  if (typeof req.body === "string") return req.body;
  if (req._body === true || req.readableEnded) throw new TypeError(PARSED_BODY);
  return Readable.toWeb(req) as ReadableStream<Uint8Array>;
}

/** The Host header is the client's to send: the URL is built on a fixed origin, so no Host can make it throw. */
export function toWebRequest(req: NodeRequest): Request {
  const body = bodyOf(req);
  const init = { method: req.method, headers: headersOf(req), body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) };
  return new Request(new URL(req.originalUrl ?? req.url ?? "/", "http://localhost"), init as RequestInit);
}

export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  if (res.destroyed) return;
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
}

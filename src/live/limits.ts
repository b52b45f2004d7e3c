// What one webhook delivery may cost the receiver. Clerk's events are a few KB; Svix sends at
// most a handful at once per endpoint. Anything beyond these bounds is an attack or a mistake, and
// is refused before it costs memory or an HMAC.

/** 1 MB: Clerk's largest events (a user with big metadata) are far below it. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
/** Deliveries being verified or applied at once; more wait for Svix's retry (503). */
export const DEFAULT_MAX_IN_FLIGHT = 32;
/**
 * Open connections at once; more are answered 503 and closed. High, because a slow client costs a
 * socket and a parser, not memory: the bytes buffered have their own budget (server.ts).
 */
export const DEFAULT_MAX_CONNECTIONS = 2048;
/** Headers and the whole request must arrive within this; Svix itself gives up after 15 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** What a 503 tells Svix (and any client) to wait, in seconds. */
export const RETRY_AFTER_SECONDS = 5;

export class BodyTooLarge extends Error {
  override name = "BodyTooLarge";
  constructor(readonly limitBytes: number) {
    super(`body over the ${limitBytes} byte limit`);
  }
}

/** A Content-Length over the limit, known before reading a byte. */
export function declaredTooLarge(contentLength: string | null | undefined, limitBytes: number): boolean {
  const n = Number(contentLength);
  return contentLength != null && contentLength !== "" && Number.isFinite(n) && n > limitBytes;
}

/**
 * The body as text, read chunk by chunk and given up (the stream cancelled) as soon as it passes
 * `limitBytes`: a lying or missing Content-Length never makes us hold more than the limit.
 */
export async function readBodyWithin(request: Request, limitBytes: number): Promise<string> {
  if (declaredTooLarge(request.headers.get("content-length"), limitBytes)) throw new BodyTooLarge(limitBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(limitBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

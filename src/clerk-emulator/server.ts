import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError } from "./errors.ts";
import { FaultInjector } from "./faults.ts";
import { Query } from "./params.ts";
import { clerkRateLimitFor, SlidingWindowLimiter, type RateLimit } from "./rate-limit.ts";
import { matchRoute, routeNotFound } from "./routes.ts";
import { RawJson } from "./serialize.ts";
import { EmulatorStore } from "./store.ts";

/** API versions Clerk publishes; the SDK (3.25.0) sends 2026-05-12. */
export const KNOWN_API_VERSIONS = new Set(["2021-02-05", "2024-10-01", "2025-03-12", "2025-04-10", "2025-11-10", "2026-05-12"]);

export interface EmulatorOptions {
  store?: EmulatorStore;
  /** Accepted secret keys. Default: one generated `sk_test_…` key. */
  secretKeys?: string[];
  /** Off by default; "clerk" = Clerk's own budgets per key type, or an explicit budget. */
  rateLimit?: false | "clerk" | RateLimit;
  port?: number;
  host?: string;
}

export interface EmulatorStats {
  requests: number;
  rateLimited: number;
  byRoute: Record<string, number>;
}

export interface RunningEmulator {
  readonly url: string;
  readonly secretKey: string;
  readonly store: EmulatorStore;
  readonly faults: FaultInjector;
  readonly stats: EmulatorStats;
  setRateLimit(limit: false | "clerk" | RateLimit): void;
  resetStats(): void;
  close(): Promise<void>;
}

/** Content-Type exactly `application/json`: with a charset the SDK hands back raw strings. */
function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body instanceof RawJson ? body.text : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function traceId(): string {
  return randomBytes(16).toString("hex");
}

function sendError(res: ServerResponse, err: ApiError, headers: Record<string, string> = {}): void {
  send(
    res,
    err.status,
    { errors: [{ code: err.code, message: err.message, long_message: err.longMessage, ...(err.meta ? { meta: err.meta } : {}) }], clerk_trace_id: traceId() },
    headers,
  );
}

const FAULT_ERRORS: Record<number, ApiError> = {
  429: new ApiError(429, "too_many_requests", "Too many requests", "Too many requests, please retry later."),
  500: new ApiError(500, "internal_clerk_error", "Oops, an unexpected error occurred", "Oops, an unexpected error occurred"),
  502: new ApiError(502, "bad_gateway", "Bad gateway", "Bad gateway"),
  503: new ApiError(503, "maintenance_mode", "System under maintenance", "We are currently undergoing maintenance. Please try again later."),
};

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8").trim();
  // The SDK sends Content-Type: application/json with an empty body on GET and DELETE.
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(400, "malformed_request_parameters", "malformed request parameters", "The request body is not valid JSON.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ApiError(400, "malformed_request_parameters", "malformed request parameters", "The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

function authenticate(req: IncomingMessage, keys: ReadonlySet<string>): string {
  const header = req.headers.authorization;
  const match = header ? /^Bearer (\S+)$/.exec(header) : null;
  if (!match) {
    throw new ApiError(401, "authorization_header_format_invalid", "Invalid Authorization header format", "Invalid Authorization header format. Must be 'Bearer <YOUR_API_KEY>'");
  }
  if (!keys.has(match[1]!)) {
    throw new ApiError(401, "clerk_key_invalid", "Secret Key is invalid", "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.");
  }
  return match[1]!;
}

function checkVersion(req: IncomingMessage, url: URL): void {
  const header = req.headers["clerk-api-version"];
  const query = url.searchParams.get("__clerk_api_version");
  if (header !== undefined && query !== null) {
    throw new ApiError(400, "invalid_request_parameters", "invalid API version", "Send the API version either as the Clerk-API-Version header or as __clerk_api_version, not both.");
  }
  const version = (Array.isArray(header) ? header[0] : header) ?? query ?? undefined;
  if (version !== undefined && !KNOWN_API_VERSIONS.has(version)) {
    throw new ApiError(400, "invalid_request_parameters", "invalid API version", `Unknown API version "${version}".`);
  }
}

/** Starts the emulator on loopback (a free port unless `port` is given). */
export async function startClerkEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const store = options.store ?? new EmulatorStore();
  const secretKey = options.secretKeys?.[0] ?? `sk_test_${randomBytes(24).toString("base64url").replace(/[-_]/g, "x")}`;
  const keys = new Set(options.secretKeys ?? [secretKey]);
  const faults = new FaultInjector();
  const limiter = new SlidingWindowLimiter();
  let rateLimit = options.rateLimit ?? false;
  const stats: EmulatorStats = { requests: 0, rateLimited: 0, byRoute: {} };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests += 1;
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    try {
      if (!url.pathname.startsWith("/v1/")) throw routeNotFound(method, url.pathname);
      const path = url.pathname.slice(3).replace(/\/+$/, "") || "/";
      const key = authenticate(req, keys);
      checkVersion(req, url);
      const matched = matchRoute(method, path);
      const routeName = matched ? `${method} ${matched.route.path}` : `${method} ${path}`;
      stats.byRoute[routeName] = (stats.byRoute[routeName] ?? 0) + 1;

      if (rateLimit) {
        const limit = rateLimit === "clerk" ? clerkRateLimitFor(key) : rateLimit;
        const waitMs = limiter.take(key, limit, Date.now());
        if (waitMs > 0) {
          stats.rateLimited += 1;
          sendError(res, FAULT_ERRORS[429]!, { "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))) });
          return;
        }
      }

      const fired = faults.match(routeName);
      for (const rule of fired) {
        rule.mutate?.(store);
        if (rule.latencyMs) await new Promise((r) => setTimeout(r, rule.latencyMs));
        if (rule.drop) {
          res.writeHead(200, { "Content-Type": "application/json" });
          res.write('{"data":[{"object":"');
          res.socket?.destroy();
          return;
        }
        if (rule.status) {
          const err = FAULT_ERRORS[rule.status] ?? new ApiError(rule.status, "injected_fault", "injected fault", `Injected HTTP ${rule.status}`);
          sendError(res, err, rule.status === 429 ? { "Retry-After": String(rule.retryAfterSeconds ?? 1) } : {});
          return;
        }
      }

      if (!matched) throw routeNotFound(method, path);
      const body = await readBody(req);
      const result = matched.route.handle({ params: matched.params, query: new Query(url.searchParams), body, store });
      const rewrites = fired.flatMap((rule) => (rule.rewrite ? [rule.rewrite] : []));
      const answer = rewrites.length ? rewrites.reduce((b, f) => f(b), result instanceof RawJson ? JSON.parse(result.text) : result) : result;
      send(res, 200, answer);
    } catch (err) {
      if (err instanceof ApiError) sendError(res, err);
      else sendError(res, new ApiError(500, "internal_clerk_error", "Oops, an unexpected error occurred", String(err)));
    }
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    secretKey,
    store,
    faults,
    stats,
    setRateLimit(limit) {
      rateLimit = limit;
    },
    resetStats() {
      stats.requests = 0;
      stats.rateLimited = 0;
      stats.byRoute = {};
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

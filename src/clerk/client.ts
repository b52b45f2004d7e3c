// The only importer of @clerk/backend. Every request goes through one path: the rate budget,
// then the call, then the retry table. The SDK never retries; this module does.
import { createClerkClient } from "@clerk/backend";
import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { ClerkRequestError, ConfigError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { RateBudget } from "./rate-budget.ts";
import { diagnoseUnreachable, probeConnection, type Unreachable } from "./reachability.ts";
import { DEFAULT_RETRY_POLICY, decideRetry, type RequestFailure, type RetryDecision, type RetryPolicy } from "./retry.ts";
import type { ClerkMembership, ClerkOrganization, ClerkUser } from "./types.ts";
import { membershipFromWire, userFromWire } from "./wire.ts";

/** The dated API version @clerk/backend 3.25 speaks; our direct calls send the same. */
const CLERK_API_VERSION = "2026-05-12";
/** Clerk's largest page (CONTRACT.md §1). */
export const MAX_PAGE = 500;
/** Clerk's cap on values per array filter. */
export const MAX_FILTER_VALUES = 100;

export interface ClerkApiOptions {
  secretKey: string;
  apiUrl: string;
  requestsPerWindow: number;
  windowMs: number;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
}

export interface ClerkApiStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  rateLimited: number;
  /** The fastest successful round trip so far (ms): what a request costs at least. */
  minLatencyMs: number;
}

/** Tries for a request that got no answer because DNS, the port or TLS fails: one retry (a blip), then the error. */
const UNREACHABLE_TRIES = 2;

/** The one line for an API that cannot be reached: the URL, why, and what fixes it. */
function unreachableError(apiUrl: string, why: Unreachable, cause: unknown): ClerkRequestError {
  const fix =
    why.kind === "tls"
      ? "check CLERK_API_URL in .env (http:// for the emulator, https:// for Clerk); behind a proxy that intercepts TLS, point NODE_EXTRA_CA_CERTS at its CA certificate"
      : "check CLERK_API_URL in .env (unset means https://api.clerk.com) and the network, or start the emulator (`pnpm clerk:emulator`)";
  return new ClerkRequestError(`Cannot reach the Clerk API at ${apiUrl} (${why.code}): ${fix}`, undefined, { cause });
}

/** A non-2xx answer (or a dropped connection) of a direct call, shaped like the SDK's error. */
class DirectRequestError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly retryAfter: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function failureOf(err: unknown): RequestFailure & { message: string } {
  if (isClerkAPIResponseError(err)) {
    const first = err.errors[0];
    return { status: err.status, retryAfterSeconds: err.retryAfter, code: first?.code, message: first?.longMessage ?? first?.message ?? err.message };
  }
  if (err instanceof DirectRequestError) return { status: err.status, retryAfterSeconds: err.retryAfter, code: err.code, message: err.message };
  return { status: undefined, retryAfterSeconds: undefined, code: undefined, message: err instanceof Error ? err.message : String(err) };
}

// SDK resources carry far more than the sync keeps; copying the kept fields right away lets the
// rest be collected page by page. Fields are copied as they are, so the map stage still sees (and
// reports) anything missing.
const slimOrganization = (o: ClerkOrganization): ClerkOrganization => ({
  id: o.id,
  name: o.name,
  slug: o.slug,
  imageUrl: o.imageUrl,
  publicMetadata: o.publicMetadata,
  privateMetadata: o.privateMetadata,
  maxAllowedMemberships: o.maxAllowedMemberships,
  createdBy: o.createdBy,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
});

export class ClerkApi {
  readonly stats: ClerkApiStats = { requests: 0, retries: 0, rateLimited: 0, minLatencyMs: Infinity };
  private readonly sdk: ReturnType<typeof createClerkClient>;
  private readonly budget: RateBudget;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ClerkApiOptions) {
    this.sdk = createClerkClient({ secretKey: options.secretKey, apiUrl: options.apiUrl, userAgent: "clerk-resync" });
    this.budget = new RateBudget(options.requestsPerWindow, options.windowMs, undefined, undefined, undefined, (ms) =>
      options.log.info(`waiting for Clerk's rate budget (${Math.ceil(ms / 1000)} s)`),
    );
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** The request budget as a steady rate (requests per ms). */
  get budgetRatePerMs(): number {
    return this.options.requestsPerWindow / this.options.windowMs;
  }

  /** Holds `n` slots of the request budget for priority requests (see RateBudget). */
  reservePriority(n: number): void {
    this.budget.reserve(n);
  }

  /** Budget, call, retry. `label` names the request in logs and errors. */
  private async call<T>(label: string, fn: () => Promise<T>, options: { priority?: boolean } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const release = await this.budget.acquire(options);
      this.stats.requests += 1;
      const sent = performance.now();
      try {
        const result = await fn();
        release();
        this.stats.minLatencyMs = Math.min(this.stats.minLatencyMs, performance.now() - sent);
        return result;
      } catch (err) {
        release();
        const failure = failureOf(err);
        // No answer at all: if the name does not resolve, nothing listens or TLS fails, waiting will not help.
        const unreachable = failure.status === undefined ? await diagnoseUnreachable(this.options.apiUrl) : undefined;
        if (unreachable && attempt >= UNREACHABLE_TRIES) throw unreachableError(this.options.apiUrl, unreachable, err);
        const decision: RetryDecision = unreachable
          ? { retry: true, delayMs: this.policy.baseDelayMs, reason: `${unreachable.code}; one more try`, rateLimited: false }
          : decideRetry(failure, attempt, this.policy);
        if (!decision.retry) throw await this.finalError(label, failure, attempt, err);
        this.stats.retries += 1;
        if (decision.rateLimited) {
          this.stats.rateLimited += 1;
          this.budget.pause(decision.delayMs);
        }
        this.options.log.warn({ request: label, attempt, reason: decision.reason, delayMs: decision.delayMs }, "Clerk request failed; retrying");
        await this.sleep(decision.delayMs);
      }
    }
  }

  private async finalError(label: string, failure: RequestFailure & { message: string }, attempt: number, cause: unknown): Promise<Error> {
    if (failure.status === 401) {
      return new ConfigError(
        `Clerk rejected CLERK_SECRET_KEY (401 ${failure.code ?? ""}) at ${this.options.apiUrl}: use the secret key of the instance you mean to sync from`,
        { cause },
      );
    }
    const unreachable = failure.status === undefined ? await probeConnection(this.options.apiUrl) : undefined;
    if (unreachable) {
      return new ClerkRequestError(
        `Cannot reach the Clerk API at ${this.options.apiUrl} (${unreachable}): check CLERK_API_URL in .env (unset means https://api.clerk.com) and the network, or start the emulator (\`pnpm clerk:emulator\`)`,
        undefined,
        { cause },
      );
    }
    const what = failure.status ? `HTTP ${failure.status}${failure.code ? ` ${failure.code}` : ""}` : "connection failed";
    const tries = attempt > 1 ? ` after ${attempt} tries` : "";
    return new ClerkRequestError(`Clerk request ${label} failed${tries}: ${what}: ${failure.message}`, failure.status, { cause });
  }

  /** A GET straight to the API, with our retry-ready errors; the body as JSON. */
  private async getDirect(pathAndQuery: string): Promise<{ status: number; body: unknown }> {
    const url = `${this.options.apiUrl}${pathAndQuery}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: {
          Authorization: `Bearer ${this.options.secretKey}`,
          "Clerk-API-Version": CLERK_API_VERSION,
          "Content-Type": "application/json",
          "User-Agent": "clerk-resync",
        },
      });
    } catch (err) {
      throw new DirectRequestError(undefined, undefined, undefined, `connection failed: ${(err as Error).message}`, { cause: err });
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new DirectRequestError(res.ok ? undefined : res.status, undefined, undefined, `unreadable response: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok) {
      const first = (body as { errors?: { code?: string; long_message?: string; message?: string }[] })?.errors?.[0];
      const retryAfter = Number.parseInt(res.headers.get("retry-after") ?? "", 10);
      throw new DirectRequestError(res.status, first?.code, Number.isNaN(retryAfter) ? undefined : retryAfter, first?.long_message ?? first?.message ?? res.statusText);
    }
    return { status: res.status, body };
  }

  /** `GET /v1/users` directly: the SDK's getUserList also calls /users/count on every page. */
  private async getUsersDirect(params: URLSearchParams): Promise<ClerkUser[]> {
    const { status, body } = await this.getDirect(`/v1/users?${params}`);
    if (!Array.isArray(body)) throw new DirectRequestError(status, undefined, undefined, "GET /v1/users did not return an array");
    return (body as Record<string, unknown>[]).map(userFromWire);
  }

  /**
   * Membership listings directly: the SDK's OrganizationMembership.fromJSON throws on a membership
   * without `public_user_data` (optional in the spec), failing the whole page; the map stage
   * reports that one membership instead.
   */
  private async getMembershipsDirect(pathAndQuery: string): Promise<{ data: ClerkMembership[]; totalCount: number }> {
    const { status, body } = await this.getDirect(pathAndQuery);
    const page = body as { data?: unknown; total_count?: unknown };
    if (!Array.isArray(page?.data)) throw new DirectRequestError(status, undefined, undefined, `GET ${pathAndQuery.split("?")[0]} did not return a page`);
    return { data: (page.data as Record<string, unknown>[]).map(membershipFromWire), totalCount: Number(page.total_count ?? page.data.length) };
  }

  /**
   * The instance this key belongs to, asked once per client (a key never changes instance): a
   * command may start asking while its database opens. A failure is not kept: the next call asks again.
   */
  fetchInstanceId(): Promise<string> {
    if (!this.instanceId) {
      this.instanceId = this.call("GET /v1/instance", () => this.sdk.instance.get()).then((instance) => {
        const id = (instance as { id?: unknown }).id;
        if (typeof id !== "string" || !id) throw new ClerkRequestError("GET /v1/instance returned no instance id", undefined);
        return id;
      });
      this.instanceId.catch(() => (this.instanceId = undefined));
    }
    return this.instanceId;
  }
  private instanceId: Promise<string> | undefined;

  async fetchUserCount(): Promise<number> {
    return this.call("GET /v1/users/count", () => this.sdk.users.getCount());
  }

  /**
   * One page of users by cursor (oldest first): stable under concurrent creates and deletes.
   * `createdBefore` (ms) asks Clerk to stop near the end of a range (`created_at_before`, sent
   * one ms later so the boundary itself comes back whether Clerk's filter is strict or not).
   * A priority request: a cursor chain is sequential, so it goes first in the budget.
   */
  async fetchUsersAfter(cursor: string | undefined, options: { limit?: number; createdBefore?: number } = {}): Promise<ClerkUser[]> {
    const params = new URLSearchParams({ limit: String(options.limit ?? MAX_PAGE), order_by: "+created_at" });
    if (cursor) params.set("starting_after", cursor);
    if (options.createdBefore !== undefined) params.set("created_at_before", String(options.createdBefore + 1));
    return this.call(`GET /v1/users?starting_after=${cursor ?? ""}`, () => this.getUsersDirect(params), { priority: true });
  }

  /** One page of users by offset (oldest first): where a cursor chain starts. */
  async fetchUsersAtOffset(offset: number, limit = MAX_PAGE): Promise<ClerkUser[]> {
    const params = new URLSearchParams({ limit: String(limit), offset: String(offset), order_by: "+created_at" });
    return this.call(`GET /v1/users?offset=${offset}`, () => this.getUsersDirect(params), { priority: true });
  }

  /**
   * Users changed at or after `sinceMs`, newest first (`order_by=-updated_at`): the watcher reads
   * until it reaches what it has already seen, so a quiet instance costs one request.
   */
  async fetchUsersChangedSince(sinceMs: number, pageSize = 100): Promise<ClerkUser[]> {
    const changed: ClerkUser[] = [];
    for (let offset = 0; ; offset += pageSize) {
      const params = new URLSearchParams({ limit: String(pageSize), offset: String(offset), order_by: "-updated_at" });
      const page = await this.call(`GET /v1/users?order_by=-updated_at&offset=${offset}`, () => this.getUsersDirect(params));
      const fresh = page.filter((u) => u.updatedAt >= sinceMs);
      changed.push(...fresh);
      if (fresh.length < page.length || page.length < pageSize) return changed;
    }
  }

  /** Which of these users exist (≤100 ids per request). */
  async fetchUsersByIds(ids: readonly string[]): Promise<ClerkUser[]> {
    const params = new URLSearchParams({ limit: String(MAX_FILTER_VALUES) });
    for (const id of ids) params.append("user_id", id);
    return this.call(`GET /v1/users?user_id=[${ids.length}]`, () => this.getUsersDirect(params));
  }

  async fetchOrganizationsPage(offset: number, limit = MAX_PAGE): Promise<{ data: ClerkOrganization[]; totalCount: number }> {
    const page = await this.call(`GET /v1/organizations?offset=${offset}`, () => this.sdk.organizations.getOrganizationList({ limit, offset, orderBy: "+created_at" }));
    return { data: page.data.map(slimOrganization), totalCount: page.totalCount };
  }

  async fetchOrganizationsByIds(ids: readonly string[]): Promise<ClerkOrganization[]> {
    const page = await this.call(`GET /v1/organizations?organization_id=[${ids.length}]`, () =>
      this.sdk.organizations.getOrganizationList({ limit: MAX_FILTER_VALUES, organizationId: [...ids] }),
    );
    return page.data.map(slimOrganization);
  }

  /** Instance-wide memberships: one listing for all orgs instead of one per org. */
  async fetchMembershipsPage(offset: number, limit = MAX_PAGE): Promise<{ data: ClerkMembership[]; totalCount: number }> {
    const params = new URLSearchParams({ limit: String(limit), offset: String(offset), order_by: "+created_at" });
    return this.call(`GET /v1/organization_memberships?offset=${offset}`, () => this.getMembershipsDirect(`/v1/organization_memberships?${params}`));
  }

  /** All memberships of one user (usually one page). */
  async fetchMembershipsOfUser(userId: string): Promise<ClerkMembership[]> {
    const all: ClerkMembership[] = [];
    for (let offset = 0; ; offset += MAX_PAGE) {
      const params = new URLSearchParams({ limit: String(MAX_PAGE), offset: String(offset) });
      const page = await this.call(`GET /v1/users/${userId}/organization_memberships?offset=${offset}`, () =>
        this.getMembershipsDirect(`/v1/users/${encodeURIComponent(userId)}/organization_memberships?${params}`),
      );
      all.push(...page.data);
      if (page.data.length < MAX_PAGE || all.length >= page.totalCount) return all;
    }
  }

  async fetchOrgMembershipsOfUsers(organizationId: string, userIds: readonly string[]): Promise<ClerkMembership[]> {
    const params = new URLSearchParams({ limit: String(MAX_FILTER_VALUES) });
    for (const id of userIds) params.append("user_id", id);
    const page = await this.call(`GET /v1/organizations/${organizationId}/memberships?user_id=[${userIds.length}]`, () =>
      this.getMembershipsDirect(`/v1/organizations/${encodeURIComponent(organizationId)}/memberships?${params}`),
    );
    return page.data;
  }
}

// The only importer of @clerk/backend. Every request goes through one path: the rate budget,
// then the call, then the retry table. The SDK never retries; this module does.
import { createClerkClient } from "@clerk/backend";
import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { ClerkRequestError, ConfigError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { RateBudget } from "./rate-budget.ts";
import { DEFAULT_RETRY_POLICY, decideRetry, type RequestFailure, type RetryPolicy } from "./retry.ts";
import type { ClerkMembership, ClerkOrganization, ClerkUser } from "./types.ts";

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

/** Wire user (snake_case) → the camelCase shape the SDK would build; validation is the map stage's job. */
function userFromWire(w: Record<string, unknown>): ClerkUser {
  const emails = Array.isArray(w.email_addresses) ? (w.email_addresses as Record<string, unknown>[]) : [];
  return {
    id: w.id as string,
    firstName: (w.first_name ?? null) as string | null,
    lastName: (w.last_name ?? null) as string | null,
    username: (w.username ?? null) as string | null,
    imageUrl: w.image_url as string,
    primaryEmailAddressId: (w.primary_email_address_id ?? null) as string | null,
    emailAddresses: emails.map((e) => ({ id: e.id as string, emailAddress: e.email_address as string })),
    createdAt: w.created_at as number,
    updatedAt: w.updated_at as number,
  };
}

// SDK resources carry far more than the sync keeps (a membership embeds a whole organization);
// copying the kept fields right away lets the rest be collected page by page. Fields are copied
// as they are, so the map stage still sees (and reports) anything missing.
const slimOrganization = (o: ClerkOrganization): ClerkOrganization => ({ id: o.id, name: o.name, slug: o.slug, imageUrl: o.imageUrl, createdAt: o.createdAt, updatedAt: o.updatedAt });
const slimMembership = (m: ClerkMembership): ClerkMembership => ({
  id: m.id,
  role: m.role,
  createdAt: m.createdAt,
  updatedAt: m.updatedAt,
  organization: { id: m.organization?.id },
  publicUserData: m.publicUserData ? { userId: m.publicUserData.userId } : m.publicUserData,
});

export class ClerkApi {
  readonly stats: ClerkApiStats = { requests: 0, retries: 0, rateLimited: 0 };
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

  /** Holds `n` slots of the request budget for priority requests (see RateBudget). */
  reservePriority(n: number): void {
    this.budget.reserve(n);
  }

  /** Budget, call, retry. `label` names the request in logs and errors. */
  private async call<T>(label: string, fn: () => Promise<T>, options: { priority?: boolean } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const release = await this.budget.acquire(options);
      this.stats.requests += 1;
      try {
        const result = await fn();
        release();
        return result;
      } catch (err) {
        release();
        const failure = failureOf(err);
        const decision = decideRetry(failure, attempt, this.policy);
        if (!decision.retry) throw this.finalError(label, failure, attempt, err);
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

  private finalError(label: string, failure: RequestFailure & { message: string }, attempt: number, cause: unknown): Error {
    if (failure.status === 401) {
      return new ConfigError(
        `Clerk rejected CLERK_SECRET_KEY (401 ${failure.code ?? ""}) at ${this.options.apiUrl}: use the secret key of the instance you mean to sync from`,
        { cause },
      );
    }
    const what = failure.status ? `HTTP ${failure.status}${failure.code ? ` ${failure.code}` : ""}` : "connection failed";
    const tries = attempt > 1 ? ` after ${attempt} tries` : "";
    return new ClerkRequestError(`Clerk request ${label} failed${tries}: ${what}: ${failure.message}`, failure.status, { cause });
  }

  /** `GET /v1/users` directly: the SDK's getUserList also calls /users/count on every page. */
  private async getUsersDirect(params: URLSearchParams): Promise<ClerkUser[]> {
    const url = `${this.options.apiUrl}/v1/users?${params}`;
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
    if (!Array.isArray(body)) throw new DirectRequestError(res.status, undefined, undefined, "GET /v1/users did not return an array");
    return (body as Record<string, unknown>[]).map(userFromWire);
  }

  async fetchInstanceId(): Promise<string> {
    const instance = await this.call("GET /v1/instance", () => this.sdk.instance.get());
    const id = (instance as { id?: unknown }).id;
    if (typeof id !== "string" || !id) throw new ClerkRequestError("GET /v1/instance returned no instance id", undefined);
    return id;
  }

  async fetchUserCount(): Promise<number> {
    return this.call("GET /v1/users/count", () => this.sdk.users.getCount());
  }

  /**
   * One page of users by cursor (oldest first): stable under concurrent creates and deletes.
   * A priority request: the cursor chain is sequential, so it goes first in the budget.
   */
  async fetchUsersAfter(cursor: string | undefined, limit = MAX_PAGE): Promise<ClerkUser[]> {
    const params = new URLSearchParams({ limit: String(limit), order_by: "+created_at" });
    if (cursor) params.set("starting_after", cursor);
    return this.call(`GET /v1/users?starting_after=${cursor ?? ""}`, () => this.getUsersDirect(params), { priority: true });
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
    const page = await this.call(`GET /v1/organization_memberships?offset=${offset}`, () =>
      this.sdk.organizations.getInstanceOrganizationMembershipList({ limit, offset, orderBy: "+created_at" }),
    );
    return { data: page.data.map(slimMembership), totalCount: page.totalCount };
  }

  /** All memberships of one user (usually one page). */
  async fetchMembershipsOfUser(userId: string): Promise<ClerkMembership[]> {
    const all: ClerkMembership[] = [];
    for (let offset = 0; ; offset += MAX_PAGE) {
      const page = await this.call(`GET /v1/users/${userId}/organization_memberships?offset=${offset}`, () =>
        this.sdk.users.getOrganizationMembershipList({ userId, limit: MAX_PAGE, offset }),
      );
      all.push(...page.data.map(slimMembership));
      if (page.data.length < MAX_PAGE || all.length >= page.totalCount) return all;
    }
  }

  async fetchOrgMembershipsOfUsers(organizationId: string, userIds: readonly string[]): Promise<ClerkMembership[]> {
    const page = await this.call(`GET /v1/organizations/${organizationId}/memberships?user_id=[${userIds.length}]`, () =>
      this.sdk.organizations.getOrganizationMembershipList({ organizationId, userId: [...userIds], limit: MAX_FILTER_VALUES }),
    );
    return page.data.map(slimMembership);
  }
}

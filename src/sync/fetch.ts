import pLimit from "p-limit";
import { MAX_FILTER_VALUES, MAX_PAGE, type ClerkApi } from "../clerk/client.ts";
import type { ClerkMembership, ClerkOrganization, ClerkUser } from "../clerk/types.ts";
import { ClerkRequestError } from "../errors.ts";
import { chunk } from "../chunk.ts";
import { chainOffsets, fetchUsersInChains } from "./fetch-users.ts";
import { trimHeap } from "./heap.ts";
import { planLanes } from "./lanes.ts";

export interface FetchProgress {
  users: number;
  usersTotal: number;
  organizations: number;
  memberships: number;
}

export interface FetchOptions {
  /** Pages in flight at once (the rate budget still caps requests per window); by default from the budget and the measured latency. */
  concurrency?: number;
  onProgress?: (p: FetchProgress) => void;
  /** Aborted: no further request starts, and the listing throws the abort's reason. */
  signal?: AbortSignal;
  /** Called as each listing completes, so its part of the plan can be applied early. */
  onListingDone?: (entity: "users" | "organizations" | "memberships") => void;
}

/** Receives each page as it arrives (the map stage), so listings are never held whole. */
export interface SnapshotSink {
  users(page: readonly ClerkUser[]): void;
  organizations(page: readonly ClerkOrganization[]): void;
  memberships(page: readonly ClerkMembership[]): void;
}

/** Offset-paged listing: first page tells the total, the rest go out concurrently. */
// Ordered by +created_at, so records created meanwhile land after the last page; a record
// deleted meanwhile shifts the rest left by one: one record may be listed twice (the mapper
// dedupes) and one may be missed (deletes are confirmed by id before they happen).
async function fetchRestOfOffsetPages<T>(
  first: { data: T[]; totalCount: number },
  fetchPage: (offset: number) => Promise<{ data: T[]; totalCount: number }>,
  limit: ReturnType<typeof pLimit>,
  onPage: (page: T[]) => void,
): Promise<void> {
  onPage(first.data);
  const offsets: number[] = [];
  for (let o = MAX_PAGE; o < first.totalCount; o += MAX_PAGE) offsets.push(o);
  await Promise.all(offsets.map((o) => limit(async () => onPage((await fetchPage(o)).data))));
}

/**
 * Everything Clerk holds for the sync, in as few requests as the data needs: the user count and
 * the first page of organizations and of memberships at once (their totals), then users by
 * cursor chains over created_at ranges (stable under concurrent creates and deletes; see
 * fetch-users.ts) and the rest of the organizations and memberships by offset, at the largest
 * page size, all in parallel, each page handed to `sink`. Throws if any listing fails: the caller
 * then plans nothing, so it can never delete.
 */
export async function fetchClerkSnapshot(api: ClerkApi, sink: SnapshotSink, options: FetchOptions = {}): Promise<void> {
  const signal = options.signal;
  const progress: FetchProgress = { users: 0, usersTotal: 0, organizations: 0, memberships: 0 };
  const report = () => {
    trimHeap();
    options.onProgress?.({ ...progress });
  };

  // One round trip for every total, and the first users page (every chain plan starts at 0).
  const [usersTotal, firstOrgs, firstMemberships, firstUsers] = await Promise.all([
    // The progress line goes up as soon as the total is known, even if the budget then makes everyone wait.
    api.fetchUserCount().then((n) => {
      progress.usersTotal = n;
      options.onProgress?.({ ...progress });
      return n;
    }),
    api.fetchOrganizationsPage(0),
    api.fetchMembershipsPage(0),
    api.fetchUsersAtOffset(0),
  ]);
  signal?.throwIfAborted();
  const pagesOf = (n: number) => Math.floor(n / MAX_PAGE) + 1;
  const userPages = pagesOf(usersTotal);
  const { lanes, userChains } = planLanes(
    { users: userPages, others: pagesOf(firstOrgs.totalCount) + pagesOf(firstMemberships.totalCount) - 2 },
    api.stats.minLatencyMs,
    api.budgetRatePerMs,
    options.concurrency,
  );
  // Each chain is sequential, a lane of its own; the offset-paged listings share the rest.
  const limit = pLimit(Math.max(1, lanes - userChains));

  const fetchUsers = async (): Promise<void> => {
    // The chains' pages (one more per chain at worst) go first in the budget.
    api.reservePriority(userPages + userChains);
    try {
      await fetchUsersInChains(api, chainOffsets(usersTotal, userChains), firstUsers, signal, (page) => {
        sink.users(page);
        progress.users += page.length;
        report();
      });
    } finally {
      api.reservePriority(0);
    }
  };
  const listed = <T>(entity: "users" | "organizations" | "memberships", done: Promise<T>) =>
    done.then((v) => {
      options.onListingDone?.(entity);
      return v;
    });
  await Promise.all([
    listed("users", fetchUsers()),
    listed(
      "organizations",
      fetchRestOfOffsetPages(firstOrgs, (o) => (signal?.throwIfAborted(), api.fetchOrganizationsPage(o)), limit, (page) => {
        sink.organizations(page);
        progress.organizations += page.length;
        report();
      }),
    ),
    listed(
      "memberships",
      fetchRestOfOffsetPages(firstMemberships, (o) => (signal?.throwIfAborted(), api.fetchMembershipsPage(o)), limit, (page) => {
        sink.memberships(page);
        progress.memberships += page.length;
        report();
      }),
    ),
  ]);
}

function groupBy<T>(items: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(item);
  }
  return groups;
}

/** A 404 on a per-organization or per-user lookup means the parent is gone, and its memberships with it. */
async function unlessGone<T>(lookup: Promise<T[]>): Promise<T[]> {
  try {
    return await lookup;
  } catch (err) {
    if (err instanceof ClerkRequestError && err.status === 404) return [];
    throw err;
  }
}

/**
 * Of the rows a plan would delete, which does Clerk still have? Asked by id (100 per request),
 * so a record a listing missed — because another was deleted while we paged by offset — is
 * never deleted locally. Memberships of users or organizations confirmed gone need no lookup
 * (they go with their parent); the rest are looked up per organization or per user, whichever
 * takes fewer requests.
 */
export async function fetchStillPresent(
  api: ClerkApi,
  stale: { users: readonly string[]; organizations: readonly string[]; memberships: readonly { id: string; organizationId: string; userId: string }[] },
  concurrency = 4,
): Promise<{ users: Set<string>; organizations: Set<string>; memberships: Set<string> }> {
  const limit = pLimit(concurrency);
  const users = new Set<string>();
  const organizations = new Set<string>();
  const memberships = new Set<string>();
  await Promise.all([
    ...chunk(stale.users, MAX_FILTER_VALUES).map((ids) => limit(async () => (await api.fetchUsersByIds(ids)).forEach((u) => ids.includes(u.id) && users.add(u.id)))),
    ...chunk(stale.organizations, MAX_FILTER_VALUES).map((ids) => limit(async () => (await api.fetchOrganizationsByIds(ids)).forEach((o) => ids.includes(o.id) && organizations.add(o.id)))),
  ]);
  const goneUsers = new Set(stale.users.filter((id) => !users.has(id)));
  const goneOrgs = new Set(stale.organizations.filter((id) => !organizations.has(id)));
  const toCheck = stale.memberships.filter((m) => !goneUsers.has(m.userId) && !goneOrgs.has(m.organizationId));
  const byOrg = groupBy(toCheck, (m) => m.organizationId);
  const byUser = groupBy(toCheck, (m) => m.userId);
  const found = (list: readonly { id: string }[], page: { id: string }[]) => {
    const ids = new Set(list.map((m) => m.id));
    for (const m of page) if (ids.has(m.id)) memberships.add(m.id);
  };
  if (byOrg.size <= byUser.size) {
    await Promise.all(
      [...byOrg].flatMap(([orgId, list]) =>
        chunk(list, MAX_FILTER_VALUES).map((part) => limit(async () => found(part, await unlessGone(api.fetchOrgMembershipsOfUsers(orgId, part.map((m) => m.userId)))))),
      ),
    );
  } else {
    await Promise.all([...byUser].map(([userId, list]) => limit(async () => found(list, await unlessGone(api.fetchMembershipsOfUser(userId))))));
  }
  return { users, organizations, memberships };
}

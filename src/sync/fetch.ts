import pLimit from "p-limit";
import { MAX_FILTER_VALUES, MAX_PAGE, type ClerkApi } from "../clerk/client.ts";
import type { ClerkMembership, ClerkOrganization, ClerkSnapshot, ClerkUser } from "../clerk/types.ts";
import { ClerkRequestError } from "../errors.ts";

export interface FetchProgress {
  users: number;
  usersTotal: number;
  organizations: number;
  memberships: number;
}

export interface FetchOptions {
  /** Pages in flight at once (the rate budget still caps requests per window). */
  concurrency?: number;
  onProgress?: (p: FetchProgress) => void;
}

function dedupe<T extends { id: string }>(items: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) seen.set(item.id, item);
  return [...seen.values()];
}

/** Offset-paged listing: first page tells the total, the rest go out concurrently. */
async function fetchAllOffsetPages<T extends { id: string }>(
  fetchPage: (offset: number) => Promise<{ data: T[]; totalCount: number }>,
  limit: ReturnType<typeof pLimit>,
  onPage: (n: number) => void,
): Promise<T[]> {
  const first = await limit(() => fetchPage(0));
  onPage(first.data.length);
  const offsets: number[] = [];
  for (let o = MAX_PAGE; o < first.totalCount; o += MAX_PAGE) offsets.push(o);
  const rest = await Promise.all(
    offsets.map((o) =>
      limit(async () => {
        const page = await fetchPage(o);
        onPage(page.data.length);
        return page.data;
      }),
    ),
  );
  // Ordered by +created_at, so records created meanwhile land after the last page; a record
  // deleted meanwhile shifts the rest by one and can repeat one: dedupe by id.
  return dedupe([...first.data, ...rest.flat()]);
}

/**
 * Everything Clerk holds for the sync, in as few requests as the data needs: the user count
 * once, users by cursor (stable under concurrent creates and deletes), organizations and
 * memberships instance-wide at the largest page size, all in parallel. Throws if any listing
 * fails: a partial snapshot is never returned, so it can never lead to deletes.
 */
export async function fetchClerkSnapshot(api: ClerkApi, options: FetchOptions = {}): Promise<ClerkSnapshot> {
  const limit = pLimit(options.concurrency ?? 4);
  const progress: FetchProgress = { users: 0, usersTotal: 0, organizations: 0, memberships: 0 };
  const report = () => options.onProgress?.({ ...progress });

  progress.usersTotal = await limit(() => api.fetchUserCount());

  const fetchUsers = async (): Promise<ClerkUser[]> => {
    const users: ClerkUser[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await limit(() => api.fetchUsersAfter(cursor));
      users.push(...page);
      progress.users = users.length;
      report();
      if (page.length < MAX_PAGE) return dedupe(users);
      cursor = page.at(-1)!.id;
    }
  };
  const [users, organizations, memberships] = await Promise.all([
    fetchUsers(),
    fetchAllOffsetPages<ClerkOrganization>((o) => api.fetchOrganizationsPage(o), limit, (n) => {
      progress.organizations += n;
      report();
    }),
    fetchAllOffsetPages<ClerkMembership>((o) => api.fetchMembershipsPage(o), limit, (n) => {
      progress.memberships += n;
      report();
    }),
  ]);
  return { users, organizations, memberships };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Of the rows a plan would delete, which does Clerk still have? Asked by id (100 per request),
 * so a record a listing missed — because another was deleted while we paged by offset — is
 * never deleted locally.
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
  const byOrg = new Map<string, { id: string; userId: string }[]>();
  for (const m of stale.memberships) {
    let list = byOrg.get(m.organizationId);
    if (!list) byOrg.set(m.organizationId, (list = []));
    list.push(m);
  }
  await Promise.all([
    ...chunk(stale.users, MAX_FILTER_VALUES).map((ids) => limit(async () => (await api.fetchUsersByIds(ids)).forEach((u) => ids.includes(u.id) && users.add(u.id)))),
    ...chunk(stale.organizations, MAX_FILTER_VALUES).map((ids) => limit(async () => (await api.fetchOrganizationsByIds(ids)).forEach((o) => ids.includes(o.id) && organizations.add(o.id)))),
    ...[...byOrg].flatMap(([orgId, list]) =>
      chunk(list, MAX_FILTER_VALUES).map((part) =>
        limit(async () => {
          try {
            const found = await api.fetchOrgMembershipsOfUsers(orgId, part.map((m) => m.userId));
            const ids = new Set(part.map((m) => m.id));
            for (const m of found) if (ids.has(m.id)) memberships.add(m.id);
          } catch (err) {
            // The organization itself is gone: so are its memberships.
            if (err instanceof ClerkRequestError && err.status === 404) return;
            throw err;
          }
        }),
      ),
    ),
  ]);
  return { users, organizations, memberships };
}

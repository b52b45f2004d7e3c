import { MAX_PAGE, type ClerkApi } from "../clerk/client.ts";
import type { ClerkUser } from "../clerk/types.ts";

/**
 * Where each of `chains` cursor chains starts, as offsets into the users ordered by +created_at.
 * A lone chain needs ⌊total/500⌋+1 pages (the last one short, so it knows it is done). Every chain
 * but the last covers 500·m−1 users: its m-th page then ends on the first user of the next chain,
 * which tells it it is done without one more request, so K chains cost what one does (at most one
 * page more) and no probe requests at all: a chain's first page is its probe.
 */
export function chainOffsets(total: number, chains: number): number[] {
  const pages = Math.floor(total / MAX_PAGE) + 1;
  const k = Math.max(1, Math.min(chains, pages));
  const offsets = [0];
  for (let i = 1; i < k; i++) {
    // Chain i-1 gets its share of the pages, spread as evenly as integers allow.
    const m = Math.floor((pages * i) / k) - Math.floor((pages * (i - 1)) / k);
    offsets.push(offsets[i - 1]! + MAX_PAGE * m - 1);
  }
  return offsets;
}

/** The first user of the next chain: this chain ends just before it. */
interface Boundary {
  id: string;
  createdAt: number;
}

/**
 * Every user, by `offsets.length` cursor chains at once (see chainOffsets), each page handed to
 * `onPage`. Each chain starts with a page by offset; its range ends where the next chain's first
 * page begins, and it continues by `starting_after` (stable under creates and deletes) until it
 * reaches that user or a later creation date. Correct under churn: a user that exists throughout
 * lies in exactly one range, and that range's chain lists it (its first page is one consistent
 * snapshot, its cursor pages follow on from it). Users are compared with a boundary by id and
 * creation date only, never by our own idea of Clerk's tie order, so if the boundary user itself is
 * deleted meanwhile and others share its millisecond, a few may be listed twice (the planner keeps
 * the first copy) but none is missed.
 */
export async function fetchUsersInChains(
  api: ClerkApi,
  offsets: readonly number[],
  /** The page at offset 0, when already fetched. */
  firstPage: ClerkUser[] | undefined,
  signal: AbortSignal | undefined,
  onPage: (users: ClerkUser[]) => void,
): Promise<void> {
  const heads = await Promise.all(offsets.map((o) => (o === 0 && firstPage ? firstPage : api.fetchUsersAtOffset(o))));
  // A head past the end (users deleted since the count) starts no chain: the one before runs on.
  const chains = heads.filter((page, i) => i === 0 || page.length > 0);
  await Promise.all(
    chains.map(async (first, i) => {
      const next = chains[i + 1]?.[0];
      const boundary: Boundary | undefined = next && { id: next.id, createdAt: next.createdAt };
      let page = first;
      for (;;) {
        const end = boundary ? page.findIndex((u) => u.id === boundary.id || u.createdAt > boundary.createdAt) : -1;
        const mine = end === -1 ? page : page.slice(0, end);
        if (mine.length) onPage(mine);
        if (end !== -1 || page.length < MAX_PAGE) return;
        signal?.throwIfAborted();
        page = await api.fetchUsersAfter(page.at(-1)!.id, { createdBefore: boundary?.createdAt });
      }
    }),
  );
}

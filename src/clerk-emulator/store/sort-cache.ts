import type { Comparator } from "./order-by.ts";

/**
 * Sorted lists, each kept until the next change to the store (listing 100k rows page by page
 * must not re-sort per page). One version for the whole store, not one per entity: orders cross
 * entities (organizations by members_count, memberships by their user's name).
 */
export class SortCache {
  private readonly lists = new Map<string, { version: number; items: unknown[] }>();
  private version = 0;

  invalidate(): void {
    this.version += 1;
  }

  sorted<T>(name: string, key: string, source: () => Iterable<T>, compare: Comparator<T>): T[] {
    const cacheKey = `${name}:${key}`;
    const hit = this.lists.get(cacheKey);
    if (hit && hit.version === this.version) return hit.items as T[];
    const items = [...source()].sort(compare);
    this.lists.set(cacheKey, { version: this.version, items });
    return items;
  }
}

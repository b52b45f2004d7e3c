import { identifierExists } from "../errors.ts";

/**
 * Identifiers one record owns alone (email addresses, usernames, external ids, slugs): Clerk
 * answers a taken one with form_identifier_exists naming `param`. `normalize` gives the spelling
 * that counts (usernames are unique whatever their case).
 */
export class UniqueIndex {
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly param: string,
    private readonly normalize: (key: string) => string = (key) => key,
  ) {}

  has(key: string): boolean {
    return this.owners.has(this.normalize(key));
  }

  ownerOf(key: string): string | undefined {
    return this.owners.get(this.normalize(key));
  }

  /** Refuses a taken `key`; an absent or empty one is not checked. */
  assertFree(key: string | null | undefined): void {
    if (key && this.has(key)) throw identifierExists(this.param);
  }

  claim(key: string, ownerId: string): void {
    this.owners.set(this.normalize(key), ownerId);
  }

  release(key: string): void {
    this.owners.delete(this.normalize(key));
  }

  /** A changed identifier: refuses a taken `to`, then frees `from` for others. */
  rename(from: string | null, to: string | null, ownerId: string): void {
    this.assertFree(to);
    if (from) this.release(from);
    if (to) this.claim(to, ownerId);
  }
}

/** Records filed by a group and a key within it: an organization's memberships by user, a user's by organization. */
export class GroupIndex<V> {
  private readonly groups = new Map<string, Map<string, V>>();

  get(group: string, key: string): V | undefined {
    return this.groups.get(group)?.get(key);
  }

  /** In the order they were added. */
  values(group: string): Iterable<V> {
    return this.groups.get(group)?.values() ?? [];
  }

  size(group: string): number {
    return this.groups.get(group)?.size ?? 0;
  }

  add(group: string, key: string, value: V): void {
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = new Map()));
    members.set(key, value);
  }

  delete(group: string, key: string): void {
    const members = this.groups.get(group);
    // An emptied group goes too: deleted users and organizations leave nothing behind.
    if (members?.delete(key) && members.size === 0) this.groups.delete(group);
  }
}

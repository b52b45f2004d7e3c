import type { MembershipRecord, OrganizationRecord, UserRecord } from "../model.ts";
import { SortCache } from "./sort-cache.ts";

/** A change made through the store, as Clerk's webhook events name them. */
export type StoreChange =
  | { type: "user.created" | "user.updated"; user: UserRecord }
  | { type: "user.deleted" | "organization.deleted"; id: string }
  | { type: "organization.created" | "organization.updated"; organization: OrganizationRecord }
  | { type: "organizationMembership.created" | "organizationMembership.updated" | "organizationMembership.deleted"; membership: MembershipRecord };

/** What the entity stores share: the clock, the id factory, the sorted lists and who hears of changes. */
export class StoreContext {
  /** Who hears of each change (the webhook sender); called synchronously, before anything else changes. */
  readonly listeners = new Set<(change: StoreChange) => void>();
  readonly sortCache = new SortCache();
  private lastTimestamp = 0;

  constructor(
    private readonly clock: () => number,
    readonly newId: (prefix: string) => string,
  ) {}

  /** Epoch ms, strictly increasing so every change moves updated_at forward. */
  now(): number {
    this.lastTimestamp = Math.max(this.clock(), this.lastTimestamp + 1);
    return this.lastTimestamp;
  }

  /** After every mutation: sorted lists go stale, and listeners hear of `change` if there is one to tell. */
  changed(change?: StoreChange): void {
    this.sortCache.invalidate();
    if (change) this.announce(change);
  }

  /** Tells the listeners without invalidating (a deletion is told while its record still exists). */
  announce(change: StoreChange): void {
    for (const listen of this.listeners) listen(change);
  }
}

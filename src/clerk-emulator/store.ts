import { randomBytes } from "node:crypto";
import { createIdFactory } from "./ids.ts";
import type { EmailRecord, MembershipRecord, OrganizationRecord, UserRecord } from "./model.ts";
import { StoreContext, type StoreChange } from "./store/context.ts";
import { MembershipStore, type MembershipInput } from "./store/memberships.ts";
import type { Comparator } from "./store/order-by.ts";
import { OrganizationStore, type CreateOrganizationInput, type UpdateOrganizationInput } from "./store/organizations.ts";
import { primaryEmail, UserStore, type CreateUserInput, type UpdateUserInput } from "./store/users.ts";

export type { StoreChange } from "./store/context.ts";
export type { MembershipInput } from "./store/memberships.ts";
export type { CreateOrganizationInput, UpdateOrganizationInput } from "./store/organizations.ts";
export type { CreateUserInput, UpdateUserInput } from "./store/users.ts";

/**
 * One emulated Clerk instance: users, organizations and memberships in memory, with the
 * invariants Clerk enforces (unique identifiers and slugs, one membership per user and org,
 * cascading deletes, created_at immutable and updated_at strictly increasing).
 *
 * Each entity keeps its records and indexes in its own store (store/); this class wires them to
 * one clock, id factory and change feed, and holds the rules that span entities: deleting a user
 * or an organization deletes its memberships first, an organization's creator becomes its admin.
 */
export class EmulatorStore {
  readonly instanceId: string;
  readonly environmentType: "development" | "production" | "staging";
  readonly newId: (prefix: string) => string;
  /** Who hears of each change (the webhook sender); called synchronously, before anything else changes. */
  readonly listeners: Set<(change: StoreChange) => void>;
  readonly users: ReadonlyMap<string, UserRecord>;
  readonly organizations: ReadonlyMap<string, OrganizationRecord>;
  readonly memberships: ReadonlyMap<string, MembershipRecord>;
  private readonly context: StoreContext;
  private readonly userStore: UserStore;
  private readonly organizationStore: OrganizationStore;
  private readonly membershipStore: MembershipStore;

  constructor(options: { instanceId?: string; environmentType?: "development" | "production" | "staging"; random?: () => number; now?: () => number } = {}) {
    const random = options.random ?? Math.random;
    this.newId = createIdFactory(random);
    this.instanceId = options.instanceId ?? `ins_${randomBytes(12).toString("hex")}`;
    this.environmentType = options.environmentType ?? "development";
    this.context = new StoreContext(options.now ?? Date.now, this.newId);
    this.listeners = this.context.listeners;
    this.userStore = new UserStore(this.context);
    this.organizationStore = new OrganizationStore(this.context, this.userStore.byId);
    this.membershipStore = new MembershipStore(this.context, this.userStore, this.organizationStore);
    this.users = this.userStore.byId;
    this.organizations = this.organizationStore.byId;
    this.memberships = this.membershipStore.byId;
  }

  /** Epoch ms, strictly increasing so every change moves updated_at forward. */
  now(): number {
    return this.context.now();
  }

  /** A list sorted by `compare`, cached until the next mutation (listing 100k rows page by page must not re-sort per page). */
  sorted<T>(name: string, key: string, source: () => Iterable<T>, compare: Comparator<T>): T[] {
    return this.context.sortCache.sorted(name, key, source, compare);
  }

  // ---- users ----

  createUser(input: CreateUserInput): UserRecord {
    return this.userStore.create(input);
  }

  getUser(id: string): UserRecord {
    return this.userStore.get(id);
  }

  updateUser(id: string, patch: UpdateUserInput): UserRecord {
    return this.userStore.update(id, patch);
  }

  /** Adds an email address to a user (like POST /email_addresses); `primary` makes it the primary one. */
  addEmailAddress(userId: string, emailAddress: string, primary = false): EmailRecord {
    return this.userStore.addEmailAddress(userId, emailAddress, primary);
  }

  deleteUser(id: string): UserRecord {
    const user = this.userStore.get(id);
    this.membershipStore.removeAll(this.membershipStore.ofUser(user.id));
    this.userStore.remove(user);
    return user;
  }

  /** Position key of a user for `starting_after`, also for users deleted since the cursor was taken. */
  userCursor(id: string): { id: string; createdAt: number } | undefined {
    return this.userStore.cursor(id);
  }

  primaryEmail(user: UserRecord): string | null {
    return primaryEmail(user);
  }

  // ---- organizations ----

  createOrganization(input: CreateOrganizationInput): OrganizationRecord {
    const org = this.organizationStore.create(input);
    if (input.createdBy) this.membershipStore.create(org.id, input.createdBy, "org:admin");
    return org;
  }

  /** By id, or by slug as Clerk allows on GET /organizations/{id_or_slug}. */
  getOrganization(idOrSlug: string): OrganizationRecord {
    return this.organizationStore.get(idOrSlug);
  }

  updateOrganization(id: string, patch: UpdateOrganizationInput): OrganizationRecord {
    return this.organizationStore.update(id, patch);
  }

  deleteOrganization(id: string): OrganizationRecord {
    const org = this.organizationStore.get(id);
    this.membershipStore.removeAll(this.membershipStore.ofOrganization(org.id));
    this.organizationStore.remove(org);
    return org;
  }

  membersCount(orgId: string): number {
    return this.membershipStore.countInOrganization(orgId);
  }

  // ---- memberships ----

  createMembership(orgId: string, userId: string | undefined, role: string | undefined, metadata: MembershipInput = {}): MembershipRecord {
    return this.membershipStore.create(orgId, userId, role, metadata);
  }

  getMembership(orgId: string, userId: string): MembershipRecord {
    return this.membershipStore.get(orgId, userId);
  }

  updateMembership(orgId: string, userId: string, role: string | undefined, metadata: Omit<MembershipInput, "createdAt"> = {}): MembershipRecord {
    return this.membershipStore.update(orgId, userId, role, metadata);
  }

  deleteMembership(orgId: string, userId: string): MembershipRecord {
    return this.membershipStore.delete(orgId, userId);
  }

  membershipsOf(orgId: string): Iterable<MembershipRecord> {
    return this.membershipStore.ofOrganization(orgId);
  }

  membershipsOfUser(userId: string): MembershipRecord[] {
    return this.membershipStore.ofUser(userId);
  }
}

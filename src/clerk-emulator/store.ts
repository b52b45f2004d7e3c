import { randomBytes } from "node:crypto";
import { ApiError, identifierExists, notFound, paramInvalid, paramMissing } from "./errors.ts";
import { createIdFactory } from "./ids.ts";
import { ROLES, type EmailRecord, type MembershipRecord, type Metadata, type OrganizationRecord, type UserRecord } from "./model.ts";

export interface CreateUserInput {
  externalId?: string | null;
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  emailAddresses?: string[];
  phoneNumbers?: string[];
  imageUrl?: string | null;
  publicMetadata?: Metadata;
  privateMetadata?: Metadata;
  unsafeMetadata?: Metadata;
  passwordEnabled?: boolean;
  createdAt?: number;
}

// Besides the PATCH /users/{id} fields: what ban/lock, sign-ins and PATCH …/metadata change (tests set them directly).
export type UpdateUserInput = Partial<Pick<UserRecord, "externalId" | "username" | "firstName" | "lastName" | "imageUrl" | "banned" | "locked" | "lastSignInAt" | "publicMetadata" | "privateMetadata">> & {
  primaryEmailAddressId?: string;
};

export interface CreateOrganizationInput {
  name: string;
  slug?: string | null;
  imageUrl?: string | null;
  createdBy?: string | null;
  maxAllowedMemberships?: number;
  publicMetadata?: Metadata;
  privateMetadata?: Metadata;
  createdAt?: number;
}

type Comparator<T> = (a: T, b: T) => number;

function compareNullable(a: string | number | null | undefined, b: string | number | null | undefined): number {
  // Nulls sort last whatever the direction of the non-null values.
  if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parses `order_by` (`+field`, `-field`, `field`) against the allowed fields; ties break by id. */
export function parseOrderBy<T extends { id: string }>(
  raw: string | undefined,
  fallback: string,
  fields: Record<string, (x: T) => string | number | null | undefined>,
): { key: string; compare: Comparator<T> } {
  const value = raw ?? fallback;
  const desc = value.startsWith("-");
  const field = value.replace(/^[+-]/, "");
  const get = fields[field];
  if (!get) throw paramInvalid("order_by", `order_by "${value}" is invalid; allowed: ${Object.keys(fields).join(", ")}`);
  const sign = desc ? -1 : 1;
  return {
    key: `${desc ? "-" : "+"}${field}`,
    compare: (a, b) => {
      const va = get(a);
      const vb = get(b);
      if (va == null || vb == null) {
        const c = compareNullable(va, vb);
        if (c !== 0) return c;
      } else {
        const c = compareNullable(va, vb) * sign;
        if (c !== 0) return c;
      }
      return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign;
    },
  };
}

const SLUG_RE = /^[a-z0-9-]+$/;

/**
 * One emulated Clerk instance: users, organizations and memberships in memory, with the
 * invariants Clerk enforces (unique identifiers and slugs, one membership per user and org,
 * cascading deletes, created_at immutable and updated_at strictly increasing).
 */
/** A change made through the store, as Clerk's webhook events name them. */
export type StoreChange =
  | { type: "user.created" | "user.updated"; user: UserRecord }
  | { type: "user.deleted" | "organization.deleted"; id: string }
  | { type: "organization.created" | "organization.updated"; organization: OrganizationRecord }
  | { type: "organizationMembership.created" | "organizationMembership.updated" | "organizationMembership.deleted"; membership: MembershipRecord };

export class EmulatorStore {
  readonly instanceId: string;
  readonly environmentType: "development" | "production" | "staging";
  readonly users = new Map<string, UserRecord>();
  readonly organizations = new Map<string, OrganizationRecord>();
  readonly memberships = new Map<string, MembershipRecord>();
  /** orgId -> userId -> membership */
  private readonly membershipsByOrg = new Map<string, Map<string, MembershipRecord>>();
  private readonly membershipsByUser = new Map<string, Set<string>>();
  /** created_at of deleted users, so a `starting_after` cursor naming one still resolves. */
  private readonly deletedUserCreatedAt = new Map<string, number>();
  private readonly emailOwners = new Map<string, string>();
  private readonly usernameOwners = new Map<string, string>();
  private readonly externalIdOwners = new Map<string, string>();
  private readonly slugOwners = new Map<string, string>();
  private readonly sortCache = new Map<string, { version: number; items: unknown[] }>();
  private version = 0;
  private lastTimestamp = 0;
  readonly newId: (prefix: string) => string;

  constructor(options: { instanceId?: string; environmentType?: "development" | "production" | "staging"; random?: () => number; now?: () => number } = {}) {
    const random = options.random ?? Math.random;
    this.newId = createIdFactory(random);
    this.instanceId = options.instanceId ?? `ins_${randomBytes(12).toString("hex")}`;
    this.environmentType = options.environmentType ?? "development";
    this.clock = options.now ?? Date.now;
  }

  private readonly clock: () => number;

  /** Epoch ms, strictly increasing so every change moves updated_at forward. */
  now(): number {
    this.lastTimestamp = Math.max(this.clock(), this.lastTimestamp + 1);
    return this.lastTimestamp;
  }

  /** Who hears of each change (the webhook sender); called synchronously, before anything else changes. */
  readonly listeners = new Set<(change: StoreChange) => void>();

  private touch(change?: StoreChange): void {
    this.version += 1;
    if (change) for (const listen of this.listeners) listen(change);
  }

  /** A list sorted by `compare`, cached until the next mutation (listing 100k rows page by page must not re-sort per page). */
  sorted<T>(name: string, key: string, source: () => Iterable<T>, compare: Comparator<T>): T[] {
    const cacheKey = `${name}:${key}`;
    const hit = this.sortCache.get(cacheKey);
    if (hit && hit.version === this.version) return hit.items as T[];
    const items = [...source()].sort(compare);
    this.sortCache.set(cacheKey, { version: this.version, items });
    return items;
  }

  // ---- users ----

  createUser(input: CreateUserInput): UserRecord {
    const createdAt = input.createdAt ?? this.now();
    const emails = (input.emailAddresses ?? []).map((e) => e.trim().toLowerCase());
    for (const e of emails) if (this.emailOwners.has(e) || emails.indexOf(e) !== emails.lastIndexOf(e)) throw identifierExists("email_address");
    if (input.username && this.usernameOwners.has(input.username.toLowerCase())) throw identifierExists("username");
    if (input.externalId && this.externalIdOwners.has(input.externalId)) throw identifierExists("external_id");
    const id = this.newId("user");
    const emailRecords: EmailRecord[] = emails.map((emailAddress) => ({ id: this.newId("idn"), emailAddress, reserved: false, createdAt, updatedAt: createdAt }));
    const phones = (input.phoneNumbers ?? []).map((phoneNumber) => ({ id: this.newId("idn"), phoneNumber, createdAt, updatedAt: createdAt }));
    const user: UserRecord = {
      id,
      externalId: input.externalId ?? null,
      username: input.username ?? null,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      emails: emailRecords,
      primaryEmailId: emailRecords[0]?.id ?? null,
      phones,
      primaryPhoneId: phones[0]?.id ?? null,
      imageUrl: input.imageUrl ?? null,
      publicMetadata: input.publicMetadata ?? {},
      privateMetadata: input.privateMetadata ?? {},
      unsafeMetadata: input.unsafeMetadata ?? {},
      passwordEnabled: input.passwordEnabled ?? false,
      banned: false,
      locked: false,
      lastSignInAt: null,
      lastActiveAt: null,
      createdAt,
      updatedAt: createdAt,
    };
    this.users.set(id, user);
    for (const e of emails) this.emailOwners.set(e, id);
    if (user.username) this.usernameOwners.set(user.username.toLowerCase(), id);
    if (user.externalId) this.externalIdOwners.set(user.externalId, id);
    this.touch({ type: "user.created", user });
    return user;
  }

  getUser(id: string): UserRecord {
    const user = this.users.get(id);
    if (!user) throw notFound(`No user was found with id ${id}`);
    return user;
  }

  updateUser(id: string, patch: UpdateUserInput): UserRecord {
    const user = this.getUser(id);
    if (patch.username !== undefined && patch.username !== user.username) {
      if (patch.username && this.usernameOwners.has(patch.username.toLowerCase())) throw identifierExists("username");
      if (user.username) this.usernameOwners.delete(user.username.toLowerCase());
      if (patch.username) this.usernameOwners.set(patch.username.toLowerCase(), id);
      user.username = patch.username;
    }
    if (patch.externalId !== undefined && patch.externalId !== user.externalId) {
      if (patch.externalId && this.externalIdOwners.has(patch.externalId)) throw identifierExists("external_id");
      if (user.externalId) this.externalIdOwners.delete(user.externalId);
      if (patch.externalId) this.externalIdOwners.set(patch.externalId, id);
      user.externalId = patch.externalId;
    }
    if (patch.firstName !== undefined) user.firstName = patch.firstName;
    if (patch.lastName !== undefined) user.lastName = patch.lastName;
    if (patch.imageUrl !== undefined) user.imageUrl = patch.imageUrl;
    if (patch.banned !== undefined) user.banned = patch.banned;
    if (patch.locked !== undefined) user.locked = patch.locked;
    if (patch.lastSignInAt !== undefined) user.lastSignInAt = patch.lastSignInAt;
    if (patch.publicMetadata !== undefined) user.publicMetadata = patch.publicMetadata;
    if (patch.privateMetadata !== undefined) user.privateMetadata = patch.privateMetadata;
    if (patch.primaryEmailAddressId !== undefined) {
      if (!user.emails.some((e) => e.id === patch.primaryEmailAddressId)) throw paramInvalid("primary_email_address_id");
      user.primaryEmailId = patch.primaryEmailAddressId;
    }
    user.updatedAt = this.now();
    this.touch({ type: "user.updated", user });
    return user;
  }

  /** Adds an email address to a user (like POST /email_addresses); `primary` makes it the primary one. */
  addEmailAddress(userId: string, emailAddress: string, primary = false): EmailRecord {
    const user = this.getUser(userId);
    const email = emailAddress.trim().toLowerCase();
    if (this.emailOwners.has(email)) throw identifierExists("email_address");
    const now = this.now();
    const record: EmailRecord = { id: this.newId("idn"), emailAddress: email, reserved: false, createdAt: now, updatedAt: now };
    user.emails.push(record);
    this.emailOwners.set(email, userId);
    if (primary || !user.primaryEmailId) user.primaryEmailId = record.id;
    user.updatedAt = now;
    this.touch({ type: "user.updated", user });
    return record;
  }

  deleteUser(id: string): UserRecord {
    const user = this.getUser(id);
    for (const memId of [...(this.membershipsByUser.get(id) ?? [])]) {
      const m = this.memberships.get(memId);
      if (m) this.removeMembership(m);
    }
    this.users.delete(id);
    this.deletedUserCreatedAt.set(id, user.createdAt);
    for (const e of user.emails) this.emailOwners.delete(e.emailAddress);
    if (user.username) this.usernameOwners.delete(user.username.toLowerCase());
    if (user.externalId) this.externalIdOwners.delete(user.externalId);
    this.touch({ type: "user.deleted", id });
    return user;
  }

  /** Position key of a user for `starting_after`, also for users deleted since the cursor was taken. */
  userCursor(id: string): { id: string; createdAt: number } | undefined {
    const createdAt = this.users.get(id)?.createdAt ?? this.deletedUserCreatedAt.get(id);
    return createdAt === undefined ? undefined : { id, createdAt };
  }

  primaryEmail(user: UserRecord): string | null {
    return user.emails.find((e) => e.id === user.primaryEmailId)?.emailAddress ?? null;
  }

  // ---- organizations ----

  createOrganization(input: CreateOrganizationInput): OrganizationRecord {
    if (!input.name || !input.name.trim()) throw paramMissing("name");
    if (input.name.length > 256) throw paramInvalid("name", "name must be at most 256 characters");
    if (/https?:\/\/|<[a-z/]/i.test(input.name)) throw paramInvalid("name", "name may not contain URLs or HTML");
    const slug = input.slug ?? this.uniqueSlug(input.name);
    this.assertSlugFree(slug);
    if (input.createdBy) {
      if (!this.users.has(input.createdBy)) throw new ApiError(400, "organization_creator_not_found", "organization creator not found", `No user was found with id ${input.createdBy}`);
    }
    if (input.maxAllowedMemberships !== undefined && input.maxAllowedMemberships < 0) throw paramInvalid("max_allowed_memberships");
    const createdAt = input.createdAt ?? this.now();
    const org: OrganizationRecord = {
      id: this.newId("org"),
      name: input.name,
      slug,
      imageUrl: input.imageUrl ?? null,
      maxAllowedMemberships: input.maxAllowedMemberships ?? 0,
      adminDeleteEnabled: true,
      publicMetadata: input.publicMetadata ?? {},
      privateMetadata: input.privateMetadata ?? {},
      createdBy: input.createdBy ?? null,
      createdAt,
      updatedAt: createdAt,
    };
    this.organizations.set(org.id, org);
    this.slugOwners.set(slug, org.id);
    this.membershipsByOrg.set(org.id, new Map());
    this.touch({ type: "organization.created", organization: org });
    if (input.createdBy) this.createMembership(org.id, input.createdBy, "org:admin");
    return org;
  }

  private assertSlugFree(slug: string): void {
    if (!SLUG_RE.test(slug)) throw paramInvalid("slug", "slug may contain only lowercase letters, digits and -");
    if (this.slugOwners.has(slug)) throw identifierExists("slug");
  }

  private uniqueSlug(name: string): string {
    const base = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "org";
    let slug = base;
    for (let i = 2; this.slugOwners.has(slug); i++) slug = `${base}-${i}`;
    return slug;
  }

  /** By id, or by slug as Clerk allows on GET /organizations/{id_or_slug}. */
  getOrganization(idOrSlug: string): OrganizationRecord {
    const org = this.organizations.get(idOrSlug) ?? this.organizations.get(this.slugOwners.get(idOrSlug) ?? "");
    if (!org) throw notFound("Given organization not found.");
    return org;
  }

  updateOrganization(
    id: string,
    patch: { name?: string; slug?: string; imageUrl?: string | null; maxAllowedMemberships?: number; adminDeleteEnabled?: boolean; publicMetadata?: Metadata; privateMetadata?: Metadata },
  ): OrganizationRecord {
    const org = this.getOrganization(id);
    if (patch.name !== undefined) {
      if (!patch.name.trim()) throw paramInvalid("name");
      org.name = patch.name;
    }
    if (patch.slug !== undefined && patch.slug !== org.slug) {
      this.assertSlugFree(patch.slug);
      this.slugOwners.delete(org.slug);
      this.slugOwners.set(patch.slug, org.id);
      org.slug = patch.slug;
    }
    if (patch.imageUrl !== undefined) org.imageUrl = patch.imageUrl;
    if (patch.maxAllowedMemberships !== undefined) org.maxAllowedMemberships = patch.maxAllowedMemberships;
    if (patch.adminDeleteEnabled !== undefined) org.adminDeleteEnabled = patch.adminDeleteEnabled;
    if (patch.publicMetadata !== undefined) org.publicMetadata = patch.publicMetadata;
    if (patch.privateMetadata !== undefined) org.privateMetadata = patch.privateMetadata;
    org.updatedAt = this.now();
    this.touch({ type: "organization.updated", organization: org });
    return org;
  }

  deleteOrganization(id: string): OrganizationRecord {
    const org = this.getOrganization(id);
    for (const m of [...(this.membershipsByOrg.get(org.id)?.values() ?? [])]) this.removeMembership(m);
    this.organizations.delete(org.id);
    this.membershipsByOrg.delete(org.id);
    this.slugOwners.delete(org.slug);
    this.touch({ type: "organization.deleted", id: org.id });
    return org;
  }

  membersCount(orgId: string): number {
    return this.membershipsByOrg.get(orgId)?.size ?? 0;
  }

  // ---- memberships ----

  createMembership(orgId: string, userId: string | undefined, role: string | undefined, metadata: { publicMetadata?: Metadata; privateMetadata?: Metadata; createdAt?: number } = {}): MembershipRecord {
    if (!userId) throw paramMissing("user_id");
    if (!role) throw paramMissing("role");
    const org = this.getOrganization(orgId);
    this.getUser(userId);
    if (!ROLES[role]) throw paramInvalid("role", `role "${role}" does not exist in this instance`);
    const byUser = this.membershipsByOrg.get(org.id)!;
    if (byUser.has(userId)) throw new ApiError(400, "already_a_member_in_organization", "already a member", `User ${userId} is already a member of the organization.`);
    if (org.maxAllowedMemberships > 0 && byUser.size >= org.maxAllowedMemberships) {
      throw new ApiError(403, "organization_membership_quota_exceeded", "membership quota exceeded", "The organization has reached its maximum number of memberships.");
    }
    const createdAt = metadata.createdAt ?? this.now();
    const m: MembershipRecord = {
      id: this.newId("orgmem"),
      organizationId: org.id,
      userId,
      role,
      publicMetadata: metadata.publicMetadata ?? {},
      privateMetadata: metadata.privateMetadata ?? {},
      createdAt,
      updatedAt: createdAt,
    };
    this.memberships.set(m.id, m);
    byUser.set(userId, m);
    let set = this.membershipsByUser.get(userId);
    if (!set) this.membershipsByUser.set(userId, (set = new Set()));
    set.add(m.id);
    this.touch({ type: "organizationMembership.created", membership: m });
    return m;
  }

  getMembership(orgId: string, userId: string): MembershipRecord {
    const org = this.getOrganization(orgId);
    const m = this.membershipsByOrg.get(org.id)?.get(userId);
    if (!m) throw notFound(`No membership was found for user ${userId} in organization ${org.id}`);
    return m;
  }

  updateMembership(orgId: string, userId: string, role: string | undefined, metadata: { publicMetadata?: Metadata; privateMetadata?: Metadata } = {}): MembershipRecord {
    if (!role) throw paramMissing("role");
    if (!ROLES[role]) throw paramInvalid("role", `role "${role}" does not exist in this instance`);
    const m = this.getMembership(orgId, userId);
    m.role = role;
    if (metadata.publicMetadata !== undefined) m.publicMetadata = metadata.publicMetadata;
    if (metadata.privateMetadata !== undefined) m.privateMetadata = metadata.privateMetadata;
    m.updatedAt = this.now();
    this.touch({ type: "organizationMembership.updated", membership: m });
    return m;
  }

  deleteMembership(orgId: string, userId: string): MembershipRecord {
    const m = this.getMembership(orgId, userId);
    this.removeMembership(m);
    this.touch();
    return m;
  }

  membershipsOf(orgId: string): Iterable<MembershipRecord> {
    return this.membershipsByOrg.get(orgId)?.values() ?? [];
  }

  membershipsOfUser(userId: string): MembershipRecord[] {
    return [...(this.membershipsByUser.get(userId) ?? [])].map((id) => this.memberships.get(id)!).filter(Boolean);
  }

  private removeMembership(m: MembershipRecord): void {
    // Heard while the membership, its user and its organization still exist (the payload names them).
    for (const listen of this.listeners) listen({ type: "organizationMembership.deleted", membership: m });
    this.memberships.delete(m.id);
    this.membershipsByOrg.get(m.organizationId)?.delete(m.userId);
    this.membershipsByUser.get(m.userId)?.delete(m.id);
  }
}

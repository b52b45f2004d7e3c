import { ApiError, notFound, paramInvalid, paramMissing } from "../errors.ts";
import { ROLES, type MembershipRecord, type Metadata } from "../model.ts";
import { applyPatch } from "./apply-patch.ts";
import type { StoreContext } from "./context.ts";
import { GroupIndex } from "./indexes.ts";
import type { OrganizationStore } from "./organizations.ts";
import type { UserStore } from "./users.ts";

export interface MembershipInput {
  publicMetadata?: Metadata;
  privateMetadata?: Metadata;
  createdAt?: number;
}

function assertRoleExists(role: string): void {
  if (!ROLES[role]) throw paramInvalid("role", `role "${role}" does not exist in this instance`);
}

/** Who belongs to which organization, in which role: at most one membership per user and organization. */
export class MembershipStore {
  readonly byId = new Map<string, MembershipRecord>();
  /** organization id -> user id -> membership */
  private readonly byOrganization = new GroupIndex<MembershipRecord>();
  /** user id -> organization id -> membership */
  private readonly byUser = new GroupIndex<MembershipRecord>();

  constructor(
    private readonly context: StoreContext,
    /** Both looked up to refuse a membership of an unknown user or organization (or slug). */
    private readonly users: UserStore,
    private readonly organizations: OrganizationStore,
  ) {}

  create(orgId: string, userId: string | undefined, role: string | undefined, metadata: MembershipInput = {}): MembershipRecord {
    if (!userId) throw paramMissing("user_id");
    if (!role) throw paramMissing("role");
    const org = this.organizations.get(orgId);
    this.users.get(userId);
    assertRoleExists(role);
    if (this.byOrganization.get(org.id, userId)) throw new ApiError(400, "already_a_member_in_organization", "already a member", `User ${userId} is already a member of the organization.`);
    if (org.maxAllowedMemberships > 0 && this.byOrganization.size(org.id) >= org.maxAllowedMemberships) {
      throw new ApiError(403, "organization_membership_quota_exceeded", "membership quota exceeded", "The organization has reached its maximum number of memberships.");
    }
    const createdAt = metadata.createdAt ?? this.context.now();
    const m: MembershipRecord = {
      id: this.context.newId("orgmem"),
      organizationId: org.id,
      userId,
      role,
      publicMetadata: metadata.publicMetadata ?? {},
      privateMetadata: metadata.privateMetadata ?? {},
      createdAt,
      updatedAt: createdAt,
    };
    this.byId.set(m.id, m);
    this.byOrganization.add(org.id, userId, m);
    this.byUser.add(userId, org.id, m);
    this.context.changed({ type: "organizationMembership.created", membership: m });
    return m;
  }

  get(orgId: string, userId: string): MembershipRecord {
    const org = this.organizations.get(orgId);
    const m = this.byOrganization.get(org.id, userId);
    if (!m) throw notFound(`No membership was found for user ${userId} in organization ${org.id}`);
    return m;
  }

  update(orgId: string, userId: string, role: string | undefined, metadata: Omit<MembershipInput, "createdAt"> = {}): MembershipRecord {
    if (!role) throw paramMissing("role");
    assertRoleExists(role);
    const m = this.get(orgId, userId);
    m.role = role;
    applyPatch(m, metadata, ["publicMetadata", "privateMetadata"]);
    m.updatedAt = this.context.now();
    this.context.changed({ type: "organizationMembership.updated", membership: m });
    return m;
  }

  delete(orgId: string, userId: string): MembershipRecord {
    const m = this.get(orgId, userId);
    this.remove(m);
    this.context.changed();
    return m;
  }

  /** An organization's memberships, in the order they were added. */
  ofOrganization(orgId: string): Iterable<MembershipRecord> {
    return this.byOrganization.values(orgId);
  }

  /** A user's memberships, in the order they were added; a new array each call (callers sort it). */
  ofUser(userId: string): MembershipRecord[] {
    return [...this.byUser.values(userId)];
  }

  countInOrganization(orgId: string): number {
    return this.byOrganization.size(orgId);
  }

  /** Removes `memberships` one by one, each told to listeners (what deleting their user or organization does). */
  removeAll(memberships: Iterable<MembershipRecord>): void {
    // Copied first: removing edits the group being read.
    for (const m of [...memberships]) this.remove(m);
  }

  private remove(m: MembershipRecord): void {
    // Heard while the membership, its user and its organization still exist (the payload names them).
    this.context.announce({ type: "organizationMembership.deleted", membership: m });
    this.byId.delete(m.id);
    this.byOrganization.delete(m.organizationId, m.userId);
    this.byUser.delete(m.userId, m.organizationId);
  }
}

import { ApiError, notFound, paramInvalid, paramMissing } from "../errors.ts";
import type { Metadata, OrganizationRecord, UserRecord } from "../model.ts";
import { applyPatch } from "./apply-patch.ts";
import type { StoreContext } from "./context.ts";
import { UniqueIndex } from "./indexes.ts";

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

export type UpdateOrganizationInput = Partial<Pick<OrganizationRecord, "name" | "slug" | "imageUrl" | "maxAllowedMemberships" | "adminDeleteEnabled" | "publicMetadata" | "privateMetadata">>;

const SLUG_RE = /^[a-z0-9-]+$/;

function assertSlugValid(slug: string): void {
  if (!SLUG_RE.test(slug)) throw paramInvalid("slug", "slug may contain only lowercase letters, digits and -");
}

/** The instance's organizations, unique by slug. */
export class OrganizationStore {
  readonly byId = new Map<string, OrganizationRecord>();
  private readonly slugs = new UniqueIndex("slug");

  constructor(
    private readonly context: StoreContext,
    /** Only to refuse an unknown `created_by`; EmulatorStore.createOrganization adds the creator's membership. */
    private readonly users: ReadonlyMap<string, UserRecord>,
  ) {}

  create(input: CreateOrganizationInput): OrganizationRecord {
    if (!input.name || !input.name.trim()) throw paramMissing("name");
    if (input.name.length > 256) throw paramInvalid("name", "name must be at most 256 characters");
    if (/https?:\/\/|<[a-z/]/i.test(input.name)) throw paramInvalid("name", "name may not contain URLs or HTML");
    const slug = input.slug ?? this.uniqueSlug(input.name);
    assertSlugValid(slug);
    this.slugs.assertFree(slug);
    if (input.createdBy) {
      if (!this.users.has(input.createdBy)) throw new ApiError(400, "organization_creator_not_found", "organization creator not found", `No user was found with id ${input.createdBy}`);
    }
    if (input.maxAllowedMemberships !== undefined && input.maxAllowedMemberships < 0) throw paramInvalid("max_allowed_memberships");
    const createdAt = input.createdAt ?? this.context.now();
    const org: OrganizationRecord = {
      id: this.context.newId("org"),
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
    this.byId.set(org.id, org);
    this.slugs.claim(slug, org.id);
    this.context.changed({ type: "organization.created", organization: org });
    return org;
  }

  private uniqueSlug(name: string): string {
    const base = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "org";
    let slug = base;
    for (let i = 2; this.slugs.has(slug); i++) slug = `${base}-${i}`;
    return slug;
  }

  /** By id, or by slug as Clerk allows on GET /organizations/{id_or_slug}. */
  get(idOrSlug: string): OrganizationRecord {
    const org = this.byId.get(idOrSlug) ?? this.byId.get(this.slugs.ownerOf(idOrSlug) ?? "");
    if (!org) throw notFound("Given organization not found.");
    return org;
  }

  update(id: string, patch: UpdateOrganizationInput): OrganizationRecord {
    const org = this.get(id);
    if (patch.name !== undefined) {
      if (!patch.name.trim()) throw paramInvalid("name");
      org.name = patch.name;
    }
    if (patch.slug !== undefined && patch.slug !== org.slug) {
      assertSlugValid(patch.slug);
      this.slugs.rename(org.slug, patch.slug, org.id);
      org.slug = patch.slug;
    }
    applyPatch(org, patch, ["imageUrl", "maxAllowedMemberships", "adminDeleteEnabled", "publicMetadata", "privateMetadata"]);
    org.updatedAt = this.context.now();
    this.context.changed({ type: "organization.updated", organization: org });
    return org;
  }

  /** Deletes an organization whose memberships are already gone (EmulatorStore.deleteOrganization removes them first). */
  remove(org: OrganizationRecord): void {
    this.byId.delete(org.id);
    this.slugs.release(org.slug);
    this.context.changed({ type: "organization.deleted", id: org.id });
  }
}

import { clerkCopyMayReplace } from "../db/freshness.ts";
import { MEMBERSHIP_FIELDS, ORGANIZATION_FIELDS, USER_FIELDS, type InvalidRecord, type Local, type LocalState, type MappedSnapshot, type MembershipRow, type OrganizationRow, type UserRow } from "../db/rows.ts";

export const PLAN_VERSION = 2;

export interface RowUpdate<R> {
  row: R;
  /** Fields whose value differs from the database's (`clerkUpdatedAt` when only provenance does). */
  changed: string[];
  /** The database's values of the changed fields. */
  before: Record<string, unknown>;
  /** Set when the row is re-keyed (a membership Clerk re-created under a new id). */
  previousId?: string;
}

/** A row the database holds a newer copy of from Clerk (e.g. a webhook that raced the listing): not written. */
export interface KeptRow<R> {
  local: Local<R>;
  /** Clerk's updated_at of the copy the listing returned (older than the database's). */
  listedUpdatedAt: number;
}

export interface EntityPlan<R> {
  create: R[];
  update: RowUpdate<R>[];
  unchanged: number;
  kept: KeptRow<R>[];
  /** Ids of local rows Clerk no longer lists: deleted on apply, once confirmed gone. */
  stale: string[];
}

export interface SyncPlan {
  version: typeof PLAN_VERSION;
  users: EntityPlan<UserRow>;
  organizations: EntityPlan<OrganizationRow>;
  memberships: EntityPlan<MembershipRow>;
  invalid: InvalidRecord[];
}

/** Field equality as the database sees it: scalars by value, text[] element by element. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What differs between the database's row and Clerk's copy, provenance included. */
function diff<R extends { id: string; updatedAt: number }>(current: Local<R>, row: R, fields: readonly (keyof R & string)[]): { changed: string[]; before: Record<string, unknown> } {
  const changed: string[] = [];
  const before: Record<string, unknown> = {};
  for (const f of fields) {
    if (sameValue(current[f], row[f])) continue;
    changed.push(f);
    before[f] = current[f];
  }
  if (current.clerkUpdatedAt !== row.updatedAt) {
    changed.push("clerkUpdatedAt");
    before.clerkUpdatedAt = current.clerkUpdatedAt;
  }
  return { changed, before };
}

/**
 * Diffs one entity by id, fed page by page: each Clerk row is compared with its local row as it
 * arrives and the local row is let go, so only one side is held whole. A local row holding a
 * newer copy from Clerk is kept, exactly as the guarded upsert will (clerkCopyMayReplace).
 * Pure: no IO.
 */
export class EntityPlanner<R extends { id: string; updatedAt: number }> {
  private readonly local: Map<string, Local<R>>;
  private readonly seen = new Set<string>();
  readonly create: R[] = [];
  readonly update: RowUpdate<R>[] = [];
  readonly kept: KeptRow<R>[] = [];
  private unchanged = 0;

  constructor(
    existing: readonly Local<R>[],
    private readonly fields: readonly (keyof R & string)[],
  ) {
    this.local = new Map(existing.map((r) => [r.id, r]));
  }

  add(rows: readonly R[]): void {
    for (const row of rows) {
      // Offset paging can list a record twice; the first copy counts.
      if (this.seen.has(row.id)) continue;
      this.seen.add(row.id);
      const current = this.local.get(row.id);
      if (!current) {
        this.create.push(row);
        continue;
      }
      this.local.delete(row.id);
      if (!clerkCopyMayReplace(current.clerkUpdatedAt, row.updatedAt)) {
        this.kept.push({ local: current, listedUpdatedAt: row.updatedAt });
        continue;
      }
      const { changed, before } = diff(current, row, this.fields);
      if (changed.length) this.update.push({ row, changed, before });
      else this.unchanged += 1;
    }
  }

  /** Whether a row with this id exists after the plan is applied: listed and valid, or kept locally. */
  willExist(id: string, present: ReadonlySet<string>): boolean {
    return this.seen.has(id) || (this.local.has(id) && present.has(id));
  }

  /** Local rows Clerk did not list (yet): candidates for deletion. */
  unmatched(): IterableIterator<Local<R>> {
    return this.local.values();
  }

  /** `present` = ids Clerk listed, valid or not: such a row is never stale. */
  finish(present: ReadonlySet<string>): EntityPlan<R> {
    const stale: string[] = [];
    for (const id of this.local.keys()) if (!present.has(id)) stale.push(id);
    return { create: this.create, update: this.update, unchanged: this.unchanged, kept: this.kept, stale };
  }
}

/** Diffs one entity by id in one go. */
export function planEntity<R extends { id: string; updatedAt: number }>(incoming: readonly R[], existing: readonly Local<R>[], fields: readonly (keyof R & string)[], present: ReadonlySet<string>): EntityPlan<R> {
  const planner = new EntityPlanner(existing, fields);
  planner.add(incoming);
  return planner.finish(present);
}

/**
 * Clerk allows one membership per (organization, user). When Clerk lists a new membership id
 * for a pair the database holds under an old id, the old row is re-keyed instead of deleted and
 * re-created (the unique index would otherwise reject the insert).
 */
function planMembershipRekeys(plan: EntityPlan<MembershipRow>, unmatched: Iterable<Local<MembershipRow>>): EntityPlan<MembershipRow> {
  if (!plan.create.length || !plan.stale.length) return plan;
  const stale = new Set(plan.stale);
  const staleByPair = new Map<string, Local<MembershipRow>>();
  for (const m of unmatched) if (stale.has(m.id)) staleByPair.set(`${m.organizationId}/${m.userId}`, m);
  const create: MembershipRow[] = [];
  for (const row of plan.create) {
    const old = staleByPair.get(`${row.organizationId}/${row.userId}`);
    if (!old) {
      create.push(row);
      continue;
    }
    stale.delete(old.id);
    // The old row's provenance is another Clerk record's: re-keying clears it, so the upsert
    // that follows always writes (see writeMembershipRekeys in sync-writes.ts).
    const { changed, before } = diff(old, row, MEMBERSHIP_FIELDS);
    plan.update.push({ row, changed: ["id", ...changed], before: { id: old.id, ...before }, previousId: old.id });
  }
  return { ...plan, create, stale: plan.stale.filter((id) => stale.has(id)) };
}

export interface PresentIds {
  users: ReadonlySet<string>;
  organizations: ReadonlySet<string>;
  memberships: ReadonlySet<string>;
}

/**
 * What to do to make the database match Clerk, built incrementally as mapped pages arrive.
 * Pure and synchronous: the same inputs always give the same plan, so it can be printed, tested
 * and applied separately.
 *
 * Memberships whose user or organization is not going to be in the database (invalid, or
 * created in Clerk after that listing finished) are reported invalid instead of failing the
 * foreign key; the next run picks them up.
 */
export function createSyncPlanner(local: LocalState) {
  const users = new EntityPlanner(local.users, USER_FIELDS);
  const organizations = new EntityPlanner(local.organizations, ORGANIZATION_FIELDS);
  const memberships = new EntityPlanner(local.memberships, MEMBERSHIP_FIELDS);
  return {
    users: (rows: readonly UserRow[]) => users.add(rows),
    organizations: (rows: readonly OrganizationRow[]) => organizations.add(rows),
    memberships: (rows: readonly MembershipRow[]) => memberships.add(rows),
    unmatchedMemberships: () => memberships.unmatched(),
    /** The users' and organizations' plans, final once both listings are complete. */
    parents: (present: Pick<PresentIds, "users" | "organizations">) => ({ users: users.finish(present.users), organizations: organizations.finish(present.organizations) }),
    finish(present: PresentIds, invalidRecords: readonly InvalidRecord[]): SyncPlan {
      const invalid = [...invalidRecords];
      // Only memberships about to be written need their parents to exist afterwards.
      const writable = (m: MembershipRow) => {
        const missing = !users.willExist(m.userId, present.users)
          ? `user ${m.userId}`
          : !organizations.willExist(m.organizationId, present.organizations)
            ? `organization ${m.organizationId}`
            : undefined;
        if (missing) invalid.push({ entity: "membership", id: m.id, reason: `references ${missing}, which is not in this sync (invalid, or created in Clerk during the sync); rerun to pick it up` });
        return !missing;
      };
      const userPlan = users.finish(present.users);
      const orgPlan = organizations.finish(present.organizations);
      const memPlan = memberships.finish(present.memberships);
      const filtered = { ...memPlan, create: memPlan.create.filter(writable), update: memPlan.update.filter((u) => writable(u.row)) };
      return {
        version: PLAN_VERSION,
        users: userPlan,
        organizations: orgPlan,
        memberships: planMembershipRekeys(filtered, memberships.unmatched()),
        invalid,
      };
    },
  };
}

export type SyncPlanner = ReturnType<typeof createSyncPlanner>;

/** The whole plan in one go (tests, small data). */
export function planSync(clerk: MappedSnapshot, local: LocalState, present: PresentIds): SyncPlan {
  const planner = createSyncPlanner(local);
  planner.users(clerk.users);
  planner.organizations(clerk.organizations);
  planner.memberships(clerk.memberships);
  return planner.finish(present, clerk.invalid);
}

/** The ids Clerk listed, valid or not: rows with these ids must never be deleted. */
export function presentIdsOf(snapshot: { users: { id: string }[]; organizations: { id: string }[]; memberships: { id: string }[] }) {
  return {
    users: new Set(snapshot.users.map((u) => u.id)),
    organizations: new Set(snapshot.organizations.map((o) => o.id)),
    memberships: new Set(snapshot.memberships.map((m) => m.id)),
  };
}

/** Removes from the stale lists ids that a targeted lookup found still in Clerk. */
export function withoutStillPresent(plan: SyncPlan, stillPresent: { users: ReadonlySet<string>; organizations: ReadonlySet<string>; memberships: ReadonlySet<string> }): SyncPlan {
  const keep = <R>(p: EntityPlan<R>, ids: ReadonlySet<string>): EntityPlan<R> => ({ ...p, stale: p.stale.filter((id) => !ids.has(id)) });
  return {
    ...plan,
    users: keep(plan.users, stillPresent.users),
    organizations: keep(plan.organizations, stillPresent.organizations),
    memberships: keep(plan.memberships, stillPresent.memberships),
  };
}

export function withoutDeletes(plan: SyncPlan): SyncPlan {
  return { ...plan, users: { ...plan.users, stale: [] }, organizations: { ...plan.organizations, stale: [] }, memberships: { ...plan.memberships, stale: [] } };
}

export function hasDrift(plan: SyncPlan): boolean {
  return [plan.users, plan.organizations, plan.memberships].some((p) => p.create.length > 0 || p.update.length > 0 || p.stale.length > 0);
}

/** Share of local rows a plan would delete, per entity (0..1). */
export function deleteShare(plan: SyncPlan, local: Record<"users" | "organizations" | "memberships", number>): { entity: string; stale: number; local: number; share: number }[] {
  return (["users", "organizations", "memberships"] as const).map((entity) => {
    const stale = plan[entity].stale.length;
    const count = local[entity];
    return { entity, stale, local: count, share: count ? stale / count : 0 };
  });
}

import { MEMBERSHIP_FIELDS, ORGANIZATION_FIELDS, USER_FIELDS, type InvalidRecord, type LocalState, type MappedSnapshot, type MembershipRow, type OrganizationRow, type UserRow } from "./rows.ts";

export const PLAN_VERSION = 1;

export interface RowUpdate<R> {
  row: R;
  /** Fields whose value differs from the database's. */
  changed: string[];
  /** Set when the row is re-keyed (a membership Clerk re-created under a new id). */
  previousId?: string;
}

export interface EntityPlan<R> {
  create: R[];
  update: RowUpdate<R>[];
  unchanged: number;
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

/** Diffs one entity by id. `present` = ids Clerk has (valid or not): such a row is never stale. */
export function planEntity<R extends { id: string }>(incoming: readonly R[], existing: readonly R[], fields: readonly (keyof R & string)[], present: ReadonlySet<string>): EntityPlan<R> {
  const local = new Map(existing.map((r) => [r.id, r]));
  const plan: EntityPlan<R> = { create: [], update: [], unchanged: 0, stale: [] };
  const seen = new Set<string>();
  for (const row of incoming) {
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    const current = local.get(row.id);
    if (!current) {
      plan.create.push(row);
      continue;
    }
    const changed = fields.filter((f) => current[f] !== row[f]);
    if (changed.length) plan.update.push({ row, changed });
    else plan.unchanged += 1;
  }
  for (const r of existing) if (!seen.has(r.id) && !present.has(r.id)) plan.stale.push(r.id);
  return plan;
}

/**
 * Clerk allows one membership per (organization, user). When Clerk lists a new membership id
 * for a pair the database holds under an old id, the old row is re-keyed instead of deleted and
 * re-created (the unique index would otherwise reject the insert).
 */
function rekeyMemberships(plan: EntityPlan<MembershipRow>, existing: readonly MembershipRow[]): EntityPlan<MembershipRow> {
  if (!plan.create.length || !plan.stale.length) return plan;
  const stale = new Set(plan.stale);
  const staleByPair = new Map(existing.filter((m) => stale.has(m.id)).map((m) => [`${m.organizationId}/${m.userId}`, m]));
  const create: MembershipRow[] = [];
  for (const row of plan.create) {
    const old = staleByPair.get(`${row.organizationId}/${row.userId}`);
    if (!old) {
      create.push(row);
      continue;
    }
    stale.delete(old.id);
    const changed = ["id", ...MEMBERSHIP_FIELDS.filter((f) => old[f] !== row[f])];
    plan.update.push({ row, changed, previousId: old.id });
  }
  return { ...plan, create, stale: plan.stale.filter((id) => stale.has(id)) };
}

/**
 * What to do to make the database match Clerk. Pure and synchronous: the same inputs always
 * give the same plan, so it can be printed, tested and applied separately.
 *
 * Memberships whose user or organization is not going to be in the database (invalid, or
 * created in Clerk after that listing finished) are reported invalid instead of failing the
 * foreign key; the next run picks them up.
 */
export function planSync(clerk: MappedSnapshot, local: LocalState, presentIds: { users: ReadonlySet<string>; organizations: ReadonlySet<string>; memberships: ReadonlySet<string> }): SyncPlan {
  const invalid = [...clerk.invalid];
  const userIds = new Set(clerk.users.map((u) => u.id));
  const orgIds = new Set(clerk.organizations.map((o) => o.id));
  const memberships: MembershipRow[] = [];
  for (const m of clerk.memberships) {
    const missing = !userIds.has(m.userId) ? `user ${m.userId}` : !orgIds.has(m.organizationId) ? `organization ${m.organizationId}` : undefined;
    if (missing) invalid.push({ entity: "membership", id: m.id, reason: `references ${missing}, which is not in this sync (invalid, or created in Clerk during the sync); rerun to pick it up` });
    else memberships.push(m);
  }
  return {
    version: PLAN_VERSION,
    users: planEntity(clerk.users, local.users, USER_FIELDS, presentIds.users),
    organizations: planEntity(clerk.organizations, local.organizations, ORGANIZATION_FIELDS, presentIds.organizations),
    memberships: rekeyMemberships(planEntity(memberships, local.memberships, MEMBERSHIP_FIELDS, presentIds.memberships), local.memberships),
    invalid,
  };
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
export function deleteShare(plan: SyncPlan, local: LocalState): { entity: string; stale: number; local: number; share: number }[] {
  return (["users", "organizations", "memberships"] as const).map((entity) => {
    const stale = plan[entity].stale.length;
    const count = local[entity].length;
    return { entity, stale, local: count, share: count ? stale / count : 0 };
  });
}

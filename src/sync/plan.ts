import { clerkCopyMayReplace } from "../mirror/freshness.ts";
import { comparedFields, DEFAULT_MIRROR, type Mirror } from "../mirror/columns.ts";
import { sameItems } from "../mirror/value-pool.ts";
import { userLabel } from "./changes.ts";
import { type InvalidRecord, type Local, type LocalIndex, type LocalState, type MappedSnapshot, type MembershipRow, type OrganizationRow, type UserRow } from "../mirror/rows.ts";

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

/** A created row the early writer has written during the listing: what its change line shows of it. */
export interface WrittenCreate {
  id: string;
  label: string;
}

export interface EntityPlan<R> {
  /** Rows to create; those the early writer already wrote are in `written` instead. */
  create: R[];
  /**
   * Creates written while the listing ran, in plan order before `create`'s, as their id and label:
   * the rows go once written (on a first sync, holding them was most of what the heap kept).
   */
  written: WrittenCreate[];
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
  return a === b || (Array.isArray(a) && Array.isArray(b) && sameItems(a, b));
}

/** Nothing differs: shared, so an unchanged row (most of them) allocates nothing. */
const NO_CHANGE: { changed: string[]; before: Record<string, unknown> } = Object.freeze({ changed: Object.freeze([]) as unknown as string[], before: Object.freeze({}) });

/** What differs between the database's row and Clerk's copy, provenance included. */
function diff<R extends { id: string; updatedAt: number }>(current: Local<R>, row: R, fields: readonly (keyof R & string)[]): { changed: string[]; before: Record<string, unknown> } {
  let changed: string[] | undefined;
  let before: Record<string, unknown> | undefined;
  for (const f of fields) {
    if (sameValue(current[f], row[f])) continue;
    (changed ??= []).push(f);
    (before ??= {})[f] = current[f];
  }
  if (current.clerkUpdatedAt !== row.updatedAt) {
    (changed ??= []).push("clerkUpdatedAt");
    (before ??= {}).clerkUpdatedAt = current.clerkUpdatedAt;
  }
  return changed ? { changed, before: before! } : NO_CHANGE;
}

/** A page's creates and updates, as the planner decides them (references into the plan's rows). */
export interface Upserts<R> {
  create: readonly R[];
  update: readonly R[];
}

export interface PlannedPage<R> extends Upserts<R> {
  /** The ids the page listed for the first time. */
  ids: readonly string[];
}

/** An id whose first copy Clerk listed, and the plan has placed. */
const LISTED = Symbol("listed");
/** An id the database holds whose row was not read (compareWithIds). */
const UNREAD = Symbol("unread");
/** Where an id stands in a planner: the database's unmatched row, UNREAD, or LISTED. */
type IdState<R> = Local<R> | typeof UNREAD | typeof LISTED;

/**
 * Diffs one entity by id, fed page by page: each Clerk row is compared with its local row as it
 * arrives and the local row is let go. The database's side is given whole (`compareWith`), or as
 * ids only (`compareWithIds`), each page then bringing the rows of the ids it lists (`unread`
 * names them), so neither side is ever held whole. Pages that arrive before the database has been
 * read wait for `compareWith`. A local row holding a newer copy from Clerk is kept, exactly as the
 * guarded upsert will (clerkCopyMayReplace). Pure: no IO.
 */
export class EntityPlanner<R extends { id: string; updatedAt: number }> {
  /** Every id either side holds, in one table rather than the database's rows beside a Set of listed ids (half the entries held). */
  private table: Map<string, IdState<R>> | undefined;
  /** Pages listed before the database was read. */
  private waiting: (readonly R[])[] = [];
  readonly create: R[] = [];
  private readonly writtenCreates: WrittenCreate[] = [];
  readonly update: RowUpdate<R>[] = [];
  readonly kept: KeptRow<R>[] = [];
  private unchanged = 0;

  constructor(
    private readonly fields: readonly (keyof R & string)[],
    existing?: readonly Local<R>[],
    /** Told, for each page once it is planned, the ids it listed (first copies) and its creates and updates. */
    private readonly onPlanned?: (page: PlannedPage<R>) => void,
  ) {
    if (existing) this.compareWith(existing);
  }

  get compared(): boolean {
    return this.table !== undefined;
  }

  /** The database's rows: pages that waited for them are planned now. */
  compareWith(existing: readonly Local<R>[]): void {
    const table = new Map<string, IdState<R>>();
    // Indexed loops: one pass over up to 150k rows, run before it is optimized, where for-of allocates per row.
    for (let i = 0; i < existing.length; i++) table.set(existing[i]!.id, existing[i]!);
    this.setLocal(table);
  }

  /**
   * Only the ids of the database's rows: each page is then added with the rows of the ids it lists
   * (`unread` names them), so the whole table is never held at once.
   */
  compareWithIds(ids: readonly string[]): void {
    const table = new Map<string, IdState<R>>();
    for (let i = 0; i < ids.length; i++) table.set(ids[i]!, UNREAD);
    this.setLocal(table);
  }

  private setLocal(table: Map<string, IdState<R>>): void {
    if (this.table) throw new Error("EntityPlanner: the database was already read");
    this.table = table;
    for (const page of this.waiting.splice(0)) this.add(page);
  }

  /** The ids of `rows` whose database rows `add` will need and were not read (see compareWithIds). */
  unread(rows: readonly R[]): string[] {
    const known = this.known;
    const ids: string[] = [];
    for (const r of rows) if (known.get(r.id) === UNREAD) ids.push(r.id);
    return ids;
  }

  /** A page of Clerk's rows; `read` holds the database's rows of the ids `unread` named (required after compareWithIds). */
  add(rows: readonly R[], read?: ReadonlyMap<string, Local<R>>): void {
    const known = this.table;
    if (!known) {
      this.waiting.push(rows);
      return;
    }
    const created = this.create.length;
    const updated = this.update.length;
    const ids: string[] = [];
    for (const row of rows) {
      let current = known.get(row.id);
      // Offset paging can list a record twice; the first copy counts.
      if (current === LISTED) continue;
      if (current === UNREAD) {
        if (!read) throw new Error("EntityPlanner: the database holds rows of this page that were not read (see unread)");
        current = read.get(row.id);
        if (!current) {
          // Deleted since its id was read (a webhook): left out of this run, never brought back
          // by it; the next run finds it as it then is.
          known.delete(row.id);
          continue;
        }
      }
      known.set(row.id, LISTED);
      ids.push(row.id);
      if (!current) {
        this.create.push(row);
        continue;
      }
      if (!clerkCopyMayReplace(current.clerkUpdatedAt, row.updatedAt)) {
        this.kept.push({ local: current, listedUpdatedAt: row.updatedAt });
        continue;
      }
      const { changed, before } = diff(current, row, this.fields);
      if (changed.length) this.update.push({ row, changed, before });
      else this.unchanged += 1;
    }
    this.onPlanned?.({ ids, create: this.create.slice(created), update: this.update.slice(updated).map((u) => u.row) });
  }

  /**
   * The early writer wrote these creates: if they are the oldest of `create` (it writes them in
   * the order they were planned), only their id and label are kept from now on. False, and
   * nothing kept back, otherwise: the writer then remembers them itself.
   */
  wrote(created: readonly R[], label: (row: R) => string): boolean {
    if (created.length > this.create.length) return false;
    for (let i = 0; i < created.length; i++) if (this.create[i] !== created[i]) return false;
    for (let i = 0; i < created.length; i++) this.writtenCreates.push({ id: created[i]!.id, label: label(created[i]!) });
    this.create.splice(0, created.length);
    return true;
  }

  /** Whether Clerk listed this id (valid) so far. */
  listed(id: string): boolean {
    return this.table?.get(id) === LISTED;
  }

  private get known(): Map<string, IdState<R>> {
    if (!this.table) throw new Error("EntityPlanner: the database has not been read yet");
    return this.table;
  }

  /** Whether a row with this id exists after the plan is applied: listed and valid, or kept locally. */
  willExist(id: string, present: IdSet): boolean {
    const state = this.known.get(id);
    return state === LISTED || (state !== undefined && present.has(id));
  }

  /** Local rows Clerk did not list (yet): candidates for deletion. Rows only, so nothing after compareWithIds (memberships are always read whole). */
  *unmatched(): IterableIterator<Local<R>> {
    for (const state of this.known.values()) if (state !== LISTED && state !== UNREAD) yield state;
  }

  /** `present` = ids Clerk listed, valid or not: such a row is never stale. */
  finish(present: IdSet): EntityPlan<R> {
    const stale: string[] = [];
    // forEach: a for-of over the entries built an [id, state] pair for each of 255k ids.
    this.known.forEach((state, id) => {
      if (state !== LISTED && !present.has(id)) stale.push(id);
    });
    // The planner's own arrays: the early writer still moves creates from one to the other until
    // it finishes, which the resync awaits before it reads or applies the plan.
    return { create: this.create, written: this.writtenCreates, update: this.update, unchanged: this.unchanged, kept: this.kept, stale };
  }
}

/** Diffs one entity by id in one go. */
export function planEntity<R extends { id: string; updatedAt: number }>(incoming: readonly R[], existing: readonly Local<R>[], fields: readonly (keyof R & string)[], present: IdSet): EntityPlan<R> {
  const planner = new EntityPlanner(fields, existing);
  planner.add(incoming);
  return planner.finish(present);
}

/**
 * Clerk allows one membership per (organization, user). When Clerk lists a new membership id
 * for a pair the database holds under an old id, the old row is re-keyed instead of deleted and
 * re-created (the unique index would otherwise reject the insert).
 */
function planMembershipRekeys(plan: EntityPlan<MembershipRow>, unmatched: Iterable<Local<MembershipRow>>, fields: readonly (keyof MembershipRow & string)[]): EntityPlan<MembershipRow> {
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
    // that follows always writes (see MirrorWrite.rekeys in mirror/write-unit.ts).
    const { changed, before } = diff(old, row, fields);
    plan.update.push({ row, changed: ["id", ...changed], before: { id: old.id, ...before }, previousId: old.id });
  }
  return { ...plan, create, stale: plan.stale.filter((id) => stale.has(id)) };
}

/** Ids that can be asked about one at a time (a Set, or a view over the planners, see SyncPlanner.present). */
export interface IdSet {
  has(id: string): boolean;
}

export interface PresentIds {
  users: IdSet;
  organizations: IdSet;
  memberships: IdSet;
}

/**
 * Where creates and updates go as soon as the planner has decided them, before the plan is
 * finished: users and organizations page by page; a membership once its user and organization
 * have both been listed (so they are written, or already in the database, before it), and only if
 * the end of the plan cannot change it: no local row holds its (organization, user) pair, which
 * the finished plan may re-key. Memberships whose parents are still unlisted when both parent
 * listings are complete go if their parents will exist; everything else waits for the finished plan.
 */
export interface ReadyUpserts {
  users(upserts: Upserts<UserRow>): void;
  organizations(upserts: Upserts<OrganizationRow>): void;
  memberships(upserts: Upserts<MembershipRow>): void;
}

/** A membership create or update waiting for a parent to be listed. */
interface Waiting {
  row: MembershipRow;
  create: boolean;
}

/**
 * What to do to make the database match Clerk, built incrementally as mapped pages arrive.
 * Pure and synchronous: the same inputs always give the same plan, so it can be printed, tested
 * and applied separately. Pages may arrive before the database has been read (`compareWith`).
 *
 * Memberships whose user or organization is not going to be in the database (invalid, or
 * created in Clerk after that listing finished) are reported invalid instead of failing the
 * foreign key; the next run picks them up.
 */
export function createSyncPlanner(local?: LocalState, ready?: ReadyUpserts, mirror: Mirror = DEFAULT_MIRROR) {
  /** Set once the users and organizations listings are complete (and the database read). */
  let parentsFinal: Pick<PresentIds, "users" | "organizations"> | undefined;
  let parentsListed: Pick<PresentIds, "users" | "organizations"> | undefined;
  /** Membership upserts waiting for their user (or, the user listed, their organization) to be listed. */
  const waitingForUser = new Map<string, Waiting[]>();
  const waitingForOrg = new Map<string, Waiting[]>();
  let localPairs: Set<string> | undefined;
  const pairOf = (m: { organizationId: string; userId: string }) => `${m.organizationId}/${m.userId}`;
  const wait = (on: Map<string, Waiting[]>, id: string, w: Waiting) => {
    const list = on.get(id);
    if (list) list.push(w);
    else on.set(id, [w]);
  };

  /** The parent of `m` that will not be in the database after the plan, if any. */
  const missingParent = (m: MembershipRow, present: Pick<PresentIds, "users" | "organizations">): string | undefined =>
    !users.willExist(m.userId, present.users)
      ? `user ${m.userId}`
      : !organizations.willExist(m.organizationId, present.organizations)
        ? `organization ${m.organizationId}`
        : undefined;

  /** Hands on the memberships whose parents are listed (or final); the others wait. */
  const release = (candidates: Iterable<Waiting>) => {
    const out: { create: MembershipRow[]; update: MembershipRow[] } = { create: [], update: [] };
    // Built at the first create: a no-op sync never pays for it. Rows matched since are still in
    // it, which only holds back a few more creates.
    // No local pair (a first sync): no pair text per membership either.
    const pairTaken = (m: MembershipRow) => {
      localPairs ??= new Set(Array.from(memberships.unmatched(), pairOf));
      return localPairs.size > 0 && localPairs.has(pairOf(m));
    };
    for (const w of candidates) {
      const m = w.row;
      if (parentsFinal) {
        if (missingParent(m, parentsFinal)) continue;
      } else if (!users.listed(m.userId)) {
        wait(waitingForUser, m.userId, w);
        continue;
      } else if (!organizations.listed(m.organizationId)) {
        wait(waitingForOrg, m.organizationId, w);
        continue;
      }
      if (w.create && pairTaken(m)) continue;
      (w.create ? out.create : out.update).push(m);
    }
    if (out.create.length || out.update.length) ready!.memberships(out);
  };
  /** The memberships waiting on these ids, no longer waiting. A loop: flatMap built an array per id, waiters or not. */
  const waitersOf = (on: Map<string, Waiting[]>, ids: readonly string[]): Waiting[] => {
    const out: Waiting[] = [];
    for (let i = 0; i < ids.length; i++) {
      const list = on.get(ids[i]!);
      if (!list) continue;
      on.delete(ids[i]!);
      for (let j = 0; j < list.length; j++) out.push(list[j]!);
    }
    return out;
  };

  /** A parent's planner: its upserts go to `ready`, and memberships waiting for the ids it lists are looked at again. */
  const parentPlanner = <R extends UserRow | OrganizationRow>(fields: readonly (keyof R & string)[], toReady: ((u: Upserts<R>) => void) | undefined, waiting: Map<string, Waiting[]>) =>
    new EntityPlanner<R>(
      fields,
      undefined,
      toReady &&
        ((page) => {
          if (page.create.length || page.update.length) toReady(page);
          if (waiting.size) release(waitersOf(waiting, page.ids));
        }),
    );
  const users = parentPlanner<UserRow>(comparedFields(mirror.users), ready && ((u) => ready.users(u)), waitingForUser);
  const organizations = parentPlanner<OrganizationRow>(comparedFields(mirror.organizations), ready && ((u) => ready.organizations(u)), waitingForOrg);
  const memberships = new EntityPlanner<MembershipRow>(
    comparedFields(mirror.memberships),
    undefined,
    ready && ((page) => release([...page.create.map((row) => ({ row, create: true })), ...page.update.map((row) => ({ row, create: false }))])),
  );
  const settleParents = () => {
    if (parentsFinal || !parentsListed || !users.compared) return;
    parentsFinal = parentsListed;
    const rest = [...waitingForUser.values(), ...waitingForOrg.values()].flat();
    waitingForUser.clear();
    waitingForOrg.clear();
    release(rest);
  };
  if (local) compareWith(local);

  function compareWith(state: LocalState): void {
    users.compareWith(state.users);
    organizations.compareWith(state.organizations);
    memberships.compareWith(state.memberships);
    settleParents();
  }

  return {
    /** A page of users; `read` holds the database's rows of the ids `unread` names (after compareWithIndex). */
    users: (rows: readonly UserRow[], read?: ReadonlyMap<string, Local<UserRow>>) => users.add(rows, read),
    organizations: (rows: readonly OrganizationRow[], read?: ReadonlyMap<string, Local<OrganizationRow>>) => organizations.add(rows, read),
    memberships: (rows: readonly MembershipRow[]) => memberships.add(rows),
    compareWith,
    /** The database as ids of users and organizations, whose rows each page then brings, and memberships whole. */
    compareWithIndex(index: LocalIndex): void {
      users.compareWithIds(index.users);
      organizations.compareWithIds(index.organizations);
      memberships.compareWith(index.memberships);
      settleParents();
    },
    /** Which rows of this page the database holds and `users`/`organizations` must be given. */
    unread: (entity: "users" | "organizations", rows: readonly { id: string; updatedAt: number }[]) =>
      entity === "users" ? users.unread(rows as readonly UserRow[]) : organizations.unread(rows as readonly OrganizationRow[]),
    /** Both parent listings are complete: memberships still waiting for a parent go to `ready` now if it will exist. */
    parentsListed(present: Pick<PresentIds, "users" | "organizations">): void {
      parentsListed = present;
      settleParents();
    },
    unmatchedMemberships: () => memberships.unmatched(),
    /** The early writer wrote these creates of users or organizations (see EntityPlanner.wrote). */
    wrote: (entity: "users" | "organizations", created: readonly (UserRow | OrganizationRow)[]): boolean =>
      entity === "users" ? users.wrote(created as readonly UserRow[], userLabel) : organizations.wrote(created as readonly OrganizationRow[], (o) => o.name),
    /**
     * Every id Clerk listed, valid or not, once the listed pages are planned: the ids the planners
     * placed, and the mapper's `refused` ones. A Set of every listed id would hold each one twice.
     */
    present: (refused: PresentIds): PresentIds => ({
      users: { has: (id) => users.listed(id) || refused.users.has(id) },
      organizations: { has: (id) => organizations.listed(id) || refused.organizations.has(id) },
      memberships: { has: (id) => memberships.listed(id) || refused.memberships.has(id) },
    }),
    /** The users' and organizations' plans, final once both listings are complete. */
    parents: (present: Pick<PresentIds, "users" | "organizations">) => ({ users: users.finish(present.users), organizations: organizations.finish(present.organizations) }),
    finish(present: PresentIds, invalidRecords: readonly InvalidRecord[]): SyncPlan {
      const invalid = [...invalidRecords];
      // Only memberships about to be written need their parents to exist afterwards.
      const writable = (m: MembershipRow) => {
        const missing = missingParent(m, present);
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
        memberships: planMembershipRekeys(filtered, memberships.unmatched(), comparedFields(mirror.memberships)),
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
  return [plan.users, plan.organizations, plan.memberships].some((p) => p.create.length > 0 || p.written.length > 0 || p.update.length > 0 || p.stale.length > 0);
}

/** Share of local rows a plan would delete, per entity (0..1). */
export function deleteShare(plan: SyncPlan, local: Record<"users" | "organizations" | "memberships", number>): { entity: string; stale: number; local: number; share: number }[] {
  return (["users", "organizations", "memberships"] as const).map((entity) => {
    const stale = plan[entity].stale.length;
    const count = local[entity];
    return { entity, stale, local: count, share: count ? stale / count : 0 };
  });
}

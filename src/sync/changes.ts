// The plan as a list of changes, like `terraform plan`: each created, updated, deleted or kept
// record with its id, a label a person recognises and, for updates, the changed fields old → new.
// Produced lazily from the plan, one change at a time, so a 100k-row plan is never copied whole.
import type { EntityPlan, SyncPlan } from "./plan.ts";
import type { Local, MembershipRow, OrganizationRow, UserRow } from "../mirror/rows.ts";

export type ChangeEntity = "user" | "organization" | "membership";
export type ChangeOp = "create" | "update" | "delete" | "keep";

export interface Change {
  entity: ChangeEntity;
  op: ChangeOp;
  id: string;
  label: string;
  /** Updates only: each changed field, the database's value and Clerk's. */
  fields: Record<string, { old: unknown; new: unknown }>;
  /** Kept rows only: why the database's copy stays. */
  reason?: string;
}

type UserLabelSource = Pick<UserRow, "email" | "username" | "phoneNumber" | "firstName" | "lastName">;

export function userLabel(u: UserLabelSource): string {
  // The name only when nothing before it labels the user: a first sync labels every created user.
  return u.email ?? u.username ?? u.phoneNumber ?? ([u.firstName, u.lastName].filter(Boolean).join(" ") || "(no email, username, phone or name)");
}

/** User and organization labels by id, for deletes and memberships (whose own rows carry none). */
export interface LabelBook {
  users: ReadonlyMap<string, string>;
  organizations: ReadonlyMap<string, string>;
  /** (organization, user) of the memberships the plan deletes or keeps. */
  memberships: ReadonlyMap<string, { organizationId: string; userId: string }>;
}

const METADATA_FIELDS = new Set(["publicMetadata", "privateMetadata"]);

/** A field's value as a report shows it: metadata parsed, private metadata never shown. */
function shown(field: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field === "privateMetadata") return "[private]";
  if (METADATA_FIELDS.has(field)) return JSON.parse(value as string);
  return value;
}

function fieldsOf(row: Record<string, unknown>, changed: readonly string[], before: Record<string, unknown>): Change["fields"] {
  const fields: Change["fields"] = {};
  for (const f of changed) {
    const next = f === "clerkUpdatedAt" ? row.updatedAt : row[f];
    fields[f] = { old: shown(f, before[f]), new: shown(f, next) };
  }
  return fields;
}

function keptReason(local: Local<unknown>, listedUpdatedAt: number): string {
  const when = (ms: number | null) => (ms === null ? "?" : new Date(ms).toISOString());
  return `newer copy from Clerk (written by ${local.syncSource ?? "an unknown path"}, updated_at ${when(local.clerkUpdatedAt)}; the listing had ${when(listedUpdatedAt)})`;
}

function* entityChanges<R extends { id: string }>(entity: ChangeEntity, plan: EntityPlan<R>, label: (row: R) => string, labelOfId: (id: string) => string): Generator<Change> {
  for (const w of plan.written) yield { entity, op: "create", id: w.id, label: w.label, fields: {} };
  for (const row of plan.create) yield { entity, op: "create", id: row.id, label: label(row), fields: {} };
  for (const u of plan.update) yield { entity, op: "update", id: u.row.id, label: label(u.row), fields: fieldsOf(u.row as Record<string, unknown>, u.changed, u.before) };
  for (const id of plan.stale) yield { entity, op: "delete", id, label: labelOfId(id), fields: {} };
  for (const k of plan.kept) yield { entity, op: "keep", id: k.local.id, label: label(k.local), fields: {}, reason: keptReason(k.local, k.listedUpdatedAt) };
}

export const CHANGE_ENTITIES: readonly ChangeEntity[] = ["user", "organization", "membership"];

/** Every change of the plan (or of one entity), users first, then organizations, then memberships. */
export function* planChanges(plan: SyncPlan, book: LabelBook, only?: ChangeEntity): Generator<Change> {
  const userOf = (id: string) => book.users.get(id) ?? id;
  const orgOf = (id: string) => book.organizations.get(id) ?? id;
  const membershipLabel = (m: { organizationId: string; userId: string }) => `${orgOf(m.organizationId)} / ${userOf(m.userId)}`;
  if (!only || only === "user") yield* entityChanges<UserRow>("user", plan.users, userLabel, userOf);
  if (!only || only === "organization") yield* entityChanges<OrganizationRow>("organization", plan.organizations, (o) => o.name, orgOf);
  if (!only || only === "membership") {
    yield* entityChanges<MembershipRow>("membership", plan.memberships, membershipLabel, (id) => {
      const m = book.memberships.get(id);
      return m ? membershipLabel(m) : id;
    });
  }
}

/**
 * The labels planChanges needs beyond the plan's own rows: users and organizations being deleted
 * or referenced by a changed membership: from Clerk's copies in the plan, else read with `read`
 * (the database, before the plan is applied).
 */
export async function buildLabelBook(
  plan: SyncPlan,
  unmatchedMemberships: Iterable<Local<MembershipRow>>,
  read: (ids: { users: string[]; organizations: string[] }) => Promise<{ users: (UserLabelSource & { id: string })[]; organizations: { id: string; name: string }[] }>,
): Promise<LabelBook> {
  const memberships = new Map<string, { organizationId: string; userId: string }>();
  const stale = new Set(plan.memberships.stale);
  if (stale.size) for (const m of unmatchedMemberships) if (stale.has(m.id)) memberships.set(m.id, { organizationId: m.organizationId, userId: m.userId });
  for (const k of plan.memberships.kept) memberships.set(k.local.id, k.local);

  const userIds = new Set(plan.users.stale);
  const orgIds = new Set(plan.organizations.stale);
  const refer = (m: { organizationId: string; userId: string }) => {
    userIds.add(m.userId);
    orgIds.add(m.organizationId);
  };
  plan.memberships.create.forEach(refer);
  plan.memberships.update.forEach((u) => refer(u.row));
  memberships.forEach(refer);

  // Clerk's copies first; only ids they do not cover are read (none on a first sync).
  const users = new Map<string, string>();
  const organizations = new Map<string, string>();
  const fromClerk = (u: UserRow) => userIds.delete(u.id) && users.set(u.id, userLabel(u));
  const orgFromClerk = (o: OrganizationRow) => orgIds.delete(o.id) && organizations.set(o.id, o.name);
  for (const w of plan.users.written) if (userIds.delete(w.id)) users.set(w.id, w.label);
  for (const w of plan.organizations.written) if (orgIds.delete(w.id)) organizations.set(w.id, w.label);
  plan.users.create.forEach(fromClerk);
  plan.users.update.forEach((x) => fromClerk(x.row));
  plan.organizations.create.forEach(orgFromClerk);
  plan.organizations.update.forEach((x) => orgFromClerk(x.row));
  if (!userIds.size && !orgIds.size) return { users, organizations, memberships };
  const fromDb = await read({ users: [...userIds], organizations: [...orgIds] });
  for (const u of fromDb.users) users.set(u.id, userLabel(u));
  for (const o of fromDb.organizations) organizations.set(o.id, o.name);
  return { users, organizations, memberships };
}

const SYMBOL: Record<ChangeOp, string> = { create: "+", update: "~", delete: "-", keep: "=" };

/** One line per change, as the watcher prints them: `+ user_… alice@…`, `~ org_… Acme: name`, `- orgmem_…`. */
export function formatChangeLine(c: Change): string {
  const fields = Object.keys(c.fields);
  return `${SYMBOL[c.op]} ${c.id} ${c.label}${fields.length ? `: ${fields.join(", ")}` : ""}`;
}

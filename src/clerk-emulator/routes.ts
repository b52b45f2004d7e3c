import { ApiError, paramInvalid, paramMissing, paramUnknown } from "./errors.ts";
import type { MembershipRecord, OrganizationRecord, UserRecord } from "./model.ts";
import { Query, page, plusMinus } from "./params.ts";
import { jsonArray, jsonPage, membershipJson, organizationJson, serializeEmailAddress, serializeMembership, serializeOrganization, serializeUser, userJson } from "./serialize.ts";
import type { EmulatorStore } from "./store.ts";
import { parseOrderBy } from "./store/order-by.ts";

export interface RouteRequest {
  readonly params: Record<string, string>;
  readonly query: Query;
  readonly body: Record<string, unknown>;
  readonly store: EmulatorStore;
}

export interface Route {
  readonly method: string;
  /** e.g. `/users/:user_id`; also the route's name in fault rules and stats (`GET /users/:user_id`). */
  readonly path: string;
  readonly pattern: RegExp;
  handle(req: RouteRequest): unknown;
}

const USER_ORDER: Record<string, (u: UserRecord, s: EmulatorStore) => string | number | null> = {
  created_at: (u) => u.createdAt,
  updated_at: (u) => u.updatedAt,
  email_address: (u, s) => s.primaryEmail(u),
  web3wallet: () => null,
  first_name: (u) => u.firstName?.toLowerCase() ?? null,
  last_name: (u) => u.lastName?.toLowerCase() ?? null,
  phone_number: (u) => u.phones[0]?.phoneNumber ?? null,
  username: (u) => u.username,
  last_active_at: (u) => u.lastActiveAt,
  last_sign_in_at: (u) => u.lastSignInAt,
};

const ORG_ORDER: Record<string, (o: OrganizationRecord, s: EmulatorStore) => string | number | null> = {
  name: (o) => o.name.toLowerCase(),
  created_at: (o) => o.createdAt,
  members_count: (o, s) => s.membersCount(o.id),
};

const MEMBERSHIP_ORDER: Record<string, (m: MembershipRecord, s: EmulatorStore) => string | number | null> = {
  created_at: (m) => m.createdAt,
  first_name: (m, s) => s.users.get(m.userId)?.firstName?.toLowerCase() ?? null,
  last_name: (m, s) => s.users.get(m.userId)?.lastName?.toLowerCase() ?? null,
  username: (m, s) => s.users.get(m.userId)?.username ?? null,
  email_address: (m, s) => s.primaryEmail(s.users.get(m.userId)!),
  phone_number: (m, s) => s.users.get(m.userId)?.phones[0]?.phoneNumber ?? null,
};

function bind<T extends { id: string }>(store: EmulatorStore, fields: Record<string, (x: T, s: EmulatorStore) => string | number | null>) {
  return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, (x: T) => f(x, store)]));
}

function sortedUsers(req: RouteRequest): { users: UserRecord[]; key: string } {
  const { key, compare } = parseOrderBy<UserRecord>(req.query.first("order_by"), "-created_at", bind(req.store, USER_ORDER));
  return { key, users: req.store.sorted("users", key, () => req.store.users.values(), compare) };
}

/** A time filter's ms value (CONTRACT.md §1: ms epoch integers), or undefined when absent. */
function msParam(q: Query, name: string): number | undefined {
  const raw = q.first(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) throw paramInvalid(name, `${name} must be a Unix timestamp in milliseconds, got "${raw}"`);
  return n;
}

/**
 * The users list's time filters, strict at both ends ("created before/after the given date": the
 * spec does not say whether the date itself is included; clients must not rely on either).
 * A null timestamp matches no filter on it.
 */
function userTimeFilter(q: Query, options: { createdAt: boolean }): ((u: UserRecord) => boolean) | undefined {
  const fields: [string, (u: UserRecord) => number | null, number | undefined, number | undefined][] = [
    ["last_active_at", (u) => u.lastActiveAt, msParam(q, "last_active_at_before"), msParam(q, "last_active_at_after") ?? msParam(q, "last_active_at_since")],
    ["last_sign_in_at", (u) => u.lastSignInAt, msParam(q, "last_sign_in_at_before"), msParam(q, "last_sign_in_at_after")],
  ];
  if (options.createdAt) fields.push(["created_at", (u) => u.createdAt, msParam(q, "created_at_before"), msParam(q, "created_at_after")]);
  const checks: ((u: UserRecord) => boolean)[] = [];
  for (const [, get, before, after] of fields) {
    if (before !== undefined) checks.push((u) => get(u) !== null && get(u)! < before);
    if (after !== undefined) checks.push((u) => get(u) !== null && get(u)! > after);
  }
  return checks.length ? (u) => checks.every((c) => c(u)) : undefined;
}

/** All filters but, when `createdAtByRange`, created_at's (the caller cuts the sorted list instead). */
function userFilter(req: RouteRequest, createdAtByRange = false): ((u: UserRecord) => boolean) | undefined {
  const time = userTimeFilter(req.query, { createdAt: !createdAtByRange });
  const rest = userFieldFilter(req);
  if (!time || !rest) return time ?? rest;
  return (u) => time(u) && rest(u);
}

function userFieldFilter(req: RouteRequest): ((u: UserRecord) => boolean) | undefined {
  const q = req.query;
  const ids = plusMinus(q.all("user_id"));
  const orgs = plusMinus(q.all("organization_id"));
  const emails = new Set(q.all("email_address").map((e) => e.toLowerCase()));
  const usernames = new Set(q.all("username"));
  const externalIds = plusMinus(q.all("external_id"));
  const text = q.first("query")?.toLowerCase();
  if (!ids.include.size && !ids.exclude.size && !orgs.include.size && !orgs.exclude.size && !emails.size && !usernames.size && !externalIds.include.size && !externalIds.exclude.size && !text) {
    return undefined;
  }
  const store = req.store;
  return (u) => {
    if (ids.include.size && !ids.include.has(u.id)) return false;
    if (ids.exclude.has(u.id)) return false;
    if (emails.size && !u.emails.some((e) => emails.has(e.emailAddress))) return false;
    if (usernames.size && !(u.username && usernames.has(u.username))) return false;
    if (externalIds.include.size && !(u.externalId && externalIds.include.has(u.externalId))) return false;
    if (u.externalId && externalIds.exclude.has(u.externalId)) return false;
    if (orgs.include.size || orgs.exclude.size) {
      const memberOf = new Set(store.membershipsOfUser(u.id).map((m) => m.organizationId));
      if (orgs.include.size && ![...orgs.include].some((o) => memberOf.has(o))) return false;
      if ([...orgs.exclude].some((o) => memberOf.has(o))) return false;
    }
    if (text) {
      const hay = [u.id, u.firstName, u.lastName, u.username, ...u.emails.map((e) => e.emailAddress), ...u.phones.map((p) => p.phoneNumber)];
      if (!hay.some((h) => h?.toLowerCase().includes(text))) return false;
    }
    return true;
  };
}

function listUsers(req: RouteRequest): unknown {
  const limit = req.query.limit();
  const offset = req.query.offset();
  const startingAfter = req.query.first("starting_after");
  const { users: sorted, key } = sortedUsers(req);
  // Ordered by created_at, its range filters cut the sorted list (a cursor page then costs the
  // same wherever it sits, as the spec promises); otherwise they filter like the rest.
  const byCreatedAt = key.endsWith("created_at");
  const users = byCreatedAt ? createdAtRange(sorted, key.startsWith("-"), msParam(req.query, "created_at_after"), msParam(req.query, "created_at_before")) : sorted;
  const filter = userFilter(req, byCreatedAt);
  const matching = filter ? users.filter(filter) : users;
  if (startingAfter === undefined) return jsonArray(page(matching, offset, limit).map(userJson));
  // Cursor pagination (new in the spec): only over a created_at ordering, never with an offset.
  if (!key.endsWith("created_at")) throw paramInvalid("starting_after", "starting_after requires ordering by created_at");
  if (offset !== 0) throw paramInvalid("offset", "offset cannot be combined with starting_after");
  const cursor = req.store.userCursor(startingAfter);
  if (!cursor) throw paramInvalid("starting_after", `starting_after "${startingAfter}" is not a user of this instance`);
  const desc = key.startsWith("-");
  const after = (u: UserRecord) =>
    desc
      ? u.createdAt < cursor.createdAt || (u.createdAt === cursor.createdAt && u.id < cursor.id)
      : u.createdAt > cursor.createdAt || (u.createdAt === cursor.createdAt && u.id > cursor.id);
  const start = lowerBound(matching, after);
  return jsonArray(matching.slice(start, start + limit).map(userJson));
}

/** The users created strictly between `after` and `before`, of a list sorted by created_at. */
function createdAtRange(users: UserRecord[], desc: boolean, after: number | undefined, before: number | undefined): UserRecord[] {
  if (after === undefined && before === undefined) return users;
  const lo = after ?? -Infinity;
  const hi = before ?? Infinity;
  const start = desc ? lowerBound(users, (u) => u.createdAt < hi) : lowerBound(users, (u) => u.createdAt > lo);
  const end = desc ? lowerBound(users, (u) => u.createdAt <= lo) : lowerBound(users, (u) => u.createdAt >= hi);
  return users.slice(start, Math.max(start, end));
}

/** First index where `pred` holds, for a list sorted so that pred is false…false,true…true. */
function lowerBound<T>(items: readonly T[], pred: (x: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function countUsers(req: RouteRequest): unknown {
  for (const p of ["limit", "offset", "order_by", "starting_after"]) if (req.query.first(p) !== undefined) throw paramUnknown(p);
  const filter = userFilter(req);
  const total = filter ? [...req.store.users.values()].filter(filter).length : req.store.users.size;
  return { object: "total_count", total_count: total };
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strArray = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** RFC3339 in requests, ms in responses (CONTRACT.md §2). */
function parseCreatedAt(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === "string" ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw new ApiError(422, "form_param_invalid_date", "is invalid", "created_at must be an RFC3339 date", { param_name: "created_at" });
  return ms;
}

const CREATE_USER_FIELDS = new Set([
  "external_id", "first_name", "last_name", "locale", "email_address", "email_address_identification_status", "phone_number",
  "phone_number_identification_status", "web3_wallet", "username", "password", "password_digest", "password_hasher",
  "skip_password_checks", "skip_password_requirement", "totp_secret", "backup_codes", "public_metadata", "private_metadata",
  "unsafe_metadata", "delete_self_enabled", "legal_accepted_at", "skip_legal_checks", "skip_user_requirement",
  "create_organization_enabled", "create_organizations_limit", "created_at", "bypass_client_trust", "banned", "locked",
]);

function createUser(req: RouteRequest): unknown {
  const b = req.body;
  for (const k of Object.keys(b)) if (!CREATE_USER_FIELDS.has(k)) throw paramUnknown(k);
  return serializeUser(
    req.store.createUser({
      externalId: str(b.external_id) ?? null,
      firstName: str(b.first_name) ?? null,
      lastName: str(b.last_name) ?? null,
      username: str(b.username) ?? null,
      emailAddresses: strArray(b.email_address),
      phoneNumbers: strArray(b.phone_number),
      publicMetadata: obj(b.public_metadata),
      privateMetadata: obj(b.private_metadata),
      unsafeMetadata: obj(b.unsafe_metadata),
      passwordEnabled: typeof b.password === "string" || typeof b.password_digest === "string",
      createdAt: parseCreatedAt(b.created_at),
    }),
  );
}

function updateUser(req: RouteRequest): unknown {
  const b = req.body;
  // Version 2026-05-12: metadata moved to PATCH …/metadata.
  for (const k of ["public_metadata", "private_metadata", "unsafe_metadata"]) if (k in b) throw paramUnknown(k);
  const patch: Parameters<EmulatorStore["updateUser"]>[1] = {};
  if ("first_name" in b) patch.firstName = str(b.first_name) ?? null;
  if ("last_name" in b) patch.lastName = str(b.last_name) ?? null;
  if ("username" in b) patch.username = str(b.username) ?? null;
  if ("external_id" in b) patch.externalId = str(b.external_id) ?? null;
  if ("primary_email_address_id" in b) patch.primaryEmailAddressId = str(b.primary_email_address_id);
  return serializeUser(req.store.updateUser(req.params.user_id!, patch));
}

/** Clerk's deep merge (PATCH …/metadata): nested objects merge, a key set to null is removed. */
function mergeMetadata(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (obj(v) && obj(out[k])) out[k] = mergeMetadata(out[k] as Record<string, unknown>, v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

/**
 * PATCH …/metadata deep-merges each field sent; PUT replaces each field sent. Fields not sent are
 * untouched; anything else in the body is refused.
 */
function metadataUpdate<K extends string>(req: RouteRequest, replace: boolean, fields: Record<string, K>, current: Record<K, Record<string, unknown>>): Partial<Record<K, Record<string, unknown>>> {
  const patch: Partial<Record<K, Record<string, unknown>>> = {};
  for (const [param, value] of Object.entries(req.body)) {
    const field = fields[param];
    if (!field) throw paramUnknown(param);
    const given = obj(value);
    if (!given) throw paramInvalid(param, `${param} must be an object`);
    patch[field] = replace ? given : mergeMetadata(current[field], given);
  }
  return patch;
}

const USER_METADATA = { public_metadata: "publicMetadata", private_metadata: "privateMetadata", unsafe_metadata: "unsafeMetadata" } as const;
const ORGANIZATION_METADATA = { public_metadata: "publicMetadata", private_metadata: "privateMetadata" } as const;

const updateUserMetadata = (replace: boolean) => (req: RouteRequest): unknown => {
  const user = req.store.getUser(req.params.user_id!);
  return serializeUser(req.store.updateUser(user.id, metadataUpdate(req, replace, USER_METADATA, user)));
};

const updateOrganizationMetadata = (replace: boolean) => (req: RouteRequest): unknown => {
  const org = req.store.getOrganization(req.params.organization_id!);
  return serializeOrganization(req.store.updateOrganization(org.id, metadataUpdate(req, replace, ORGANIZATION_METADATA, org)), req.store);
};

function deleted(object: string, id: string, extra: Record<string, unknown> = {}) {
  return { object, id, ...extra, deleted: true };
}

function sortedOrganizations(req: RouteRequest): OrganizationRecord[] {
  const { key, compare } = parseOrderBy<OrganizationRecord>(req.query.first("order_by"), "-created_at", bind(req.store, ORG_ORDER));
  return req.store.sorted("orgs", key, () => req.store.organizations.values(), compare);
}

function listOrganizations(req: RouteRequest): unknown {
  const q = req.query;
  const limit = q.limit();
  const offset = q.offset();
  let orgs = sortedOrganizations(req);
  const ids = plusMinus(q.all("organization_id"));
  const users = plusMinus(q.all("user_id"));
  const text = q.first("query")?.toLowerCase();
  if (ids.include.size || ids.exclude.size || users.include.size || users.exclude.size || text) {
    orgs = orgs.filter((o) => {
      if (ids.include.size && !ids.include.has(o.id)) return false;
      if (ids.exclude.has(o.id)) return false;
      if (users.include.size || users.exclude.size) {
        const members = new Set([...req.store.membershipsOf(o.id)].map((m) => m.userId));
        if (users.include.size && ![...users.include].some((u) => members.has(u))) return false;
        if ([...users.exclude].some((u) => members.has(u))) return false;
      }
      if (text && !(o.id === text || o.name.toLowerCase().includes(text) || o.slug.includes(text))) return false;
      return true;
    });
  }
  const slice = page(orgs, offset, limit);
  // members_count changes without the organization changing: never cached.
  if (q.bool("include_members_count")) return { data: slice.map((o) => serializeOrganization(o, req.store, true)), total_count: orgs.length };
  return jsonPage(slice.map((o) => organizationJson(o, req.store)), orgs.length);
}

function sortedMemberships(req: RouteRequest, name: string, source: () => Iterable<MembershipRecord>): MembershipRecord[] {
  const { key, compare } = parseOrderBy<MembershipRecord>(req.query.first("order_by"), "-created_at", bind(req.store, MEMBERSHIP_ORDER));
  return req.store.sorted(name, key, source, compare);
}

function listOrganizationMemberships(req: RouteRequest): unknown {
  const q = req.query;
  const org = req.store.getOrganization(req.params.organization_id!);
  const limit = q.limit();
  const offset = q.offset();
  let items = sortedMemberships(req, `memberships:${org.id}`, () => req.store.membershipsOf(org.id));
  const users = plusMinus(q.all("user_id"));
  const roles = new Set(q.all("role"));
  if (users.include.size || users.exclude.size || roles.size) {
    items = items.filter((m) => (!users.include.size || users.include.has(m.userId)) && !users.exclude.has(m.userId) && (!roles.size || roles.has(m.role)));
  }
  return jsonPage(page(items, offset, limit).map((m) => membershipJson(m, req.store)), items.length);
}

function listInstanceMemberships(req: RouteRequest): unknown {
  const limit = req.query.limit();
  const offset = req.query.offset();
  const items = sortedMemberships(req, "memberships:*", () => req.store.memberships.values());
  return jsonPage(page(items, offset, limit).map((m) => membershipJson(m, req.store)), items.length);
}

function listUserMemberships(req: RouteRequest): unknown {
  const user = req.store.getUser(req.params.user_id!);
  const items = req.store.membershipsOfUser(user.id).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  return { data: page(items, req.query.offset(), req.query.limit()).map((m) => serializeMembership(m, req.store)), total_count: items.length };
}

function route(method: string, path: string, handle: Route["handle"]): Route {
  const pattern = new RegExp(`^${path.replace(/:([a-z_]+)/g, "(?<$1>[^/]+)")}$`);
  return { method, path, pattern, handle };
}

export const ROUTES: readonly Route[] = [
  route("GET", "/instance", ({ store }) => ({ object: "instance", id: store.instanceId, environment_type: store.environmentType, allowed_origins: null, workspace_id: null })),
  route("GET", "/users", listUsers),
  route("GET", "/users/count", countUsers),
  route("POST", "/users", createUser),
  route("GET", "/users/:user_id", (r) => serializeUser(r.store.getUser(r.params.user_id!))),
  route("PATCH", "/users/:user_id", updateUser),
  route("PATCH", "/users/:user_id/metadata", updateUserMetadata(false)),
  route("PUT", "/users/:user_id/metadata", updateUserMetadata(true)),
  route("DELETE", "/users/:user_id", (r) => deleted("user", r.store.deleteUser(r.params.user_id!).id)),
  route("GET", "/users/:user_id/organization_memberships", listUserMemberships),
  route("POST", "/email_addresses", (r) => {
    const userId = str(r.body.user_id);
    const email = str(r.body.email_address);
    if (!userId) throw paramMissing("user_id");
    if (!email) throw paramMissing("email_address");
    return serializeEmailAddress(r.store.addEmailAddress(userId, email, r.body.primary === true));
  }),
  route("GET", "/organizations", listOrganizations),
  route("POST", "/organizations", (r) => {
    const b = r.body;
    const max = b.max_allowed_memberships;
    return serializeOrganization(
      r.store.createOrganization({
        name: str(b.name) ?? "",
        slug: str(b.slug) ?? null,
        createdBy: str(b.created_by) ?? null,
        maxAllowedMemberships: typeof max === "number" ? max : undefined,
        publicMetadata: obj(b.public_metadata),
        privateMetadata: obj(b.private_metadata),
        createdAt: parseCreatedAt(b.created_at),
      }),
      r.store,
    );
  }),
  route("GET", "/organization_memberships", listInstanceMemberships),
  route("GET", "/organizations/:organization_id", (r) => serializeOrganization(r.store.getOrganization(r.params.organization_id!), r.store, r.query.bool("include_members_count"))),
  route("PATCH", "/organizations/:organization_id", (r) => {
    const b = r.body;
    for (const k of ["public_metadata", "private_metadata"]) if (k in b) throw paramUnknown(k);
    const max = b.max_allowed_memberships;
    return serializeOrganization(
      r.store.updateOrganization(r.params.organization_id!, {
        name: str(b.name),
        slug: str(b.slug),
        maxAllowedMemberships: typeof max === "number" ? max : undefined,
        adminDeleteEnabled: typeof b.admin_delete_enabled === "boolean" ? b.admin_delete_enabled : undefined,
      }),
      r.store,
    );
  }),
  route("PATCH", "/organizations/:organization_id/metadata", updateOrganizationMetadata(false)),
  route("PUT", "/organizations/:organization_id/metadata", updateOrganizationMetadata(true)),
  route("DELETE", "/organizations/:organization_id", (r) => {
    const org = r.store.deleteOrganization(r.params.organization_id!);
    return deleted("organization", org.id, { slug: org.slug });
  }),
  route("GET", "/organizations/:organization_id/memberships", listOrganizationMemberships),
  route("POST", "/organizations/:organization_id/memberships", (r) =>
    serializeMembership(r.store.createMembership(r.params.organization_id!, str(r.body.user_id), str(r.body.role), { publicMetadata: obj(r.body.public_metadata), privateMetadata: obj(r.body.private_metadata) }), r.store),
  ),
  route("PATCH", "/organizations/:organization_id/memberships/:user_id", (r) => serializeMembership(r.store.updateMembership(r.params.organization_id!, r.params.user_id!, str(r.body.role)), r.store)),
  route("DELETE", "/organizations/:organization_id/memberships/:user_id", (r) => {
    // Serialize before removing: the response is the membership as it was.
    const m = r.store.getMembership(r.params.organization_id!, r.params.user_id!);
    const body = serializeMembership(m, r.store);
    r.store.deleteMembership(m.organizationId, m.userId);
    return body;
  }),
];

export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m) return { route: r, params: Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)])) };
  }
  return undefined;
}

export function routeNotFound(method: string, path: string): ApiError {
  return new ApiError(404, "resource_not_found", "not found", `${method} /v1${path} is not an endpoint of this emulator`);
}

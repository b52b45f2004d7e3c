// What a single membership (a webhook's) needs to know before the write unit takes it: whether
// Clerk deleted it or a parent, whether its parents have rows yet, and which row holds its
// (organization, user) pair under another id.
import type pg from "pg";
import { columnOf, DEFAULT_MIRROR, ident, type EntitySpec, type Mirror } from "./columns.ts";
import type { MembershipRow } from "./rows.ts";

/** Whether any of these Clerk ids has a tombstone. */
export async function anyTombstoned(client: pg.PoolClient, ids: readonly string[]): Promise<boolean> {
  const { rows } = await client.query(`SELECT 1 FROM "ClerkTombstone" WHERE id = ANY($1::text[]) LIMIT 1`, [ids]);
  return rows.length > 0;
}

const exists = (spec: EntitySpec<never>, param: string) => `EXISTS (SELECT 1 FROM ${ident(spec.table)} WHERE ${ident(spec.id.column)} = ${param})`;

/** The membership's user or organization that has no row yet, if any. */
export async function missingParent(client: pg.PoolClient, m: MembershipRow, mirror: Mirror = DEFAULT_MIRROR): Promise<string | undefined> {
  const { rows } = await client.query<{ user: boolean; org: boolean }>(
    `SELECT ${exists(mirror.users as EntitySpec<never>, "$1")} AS user, ${exists(mirror.organizations as EntitySpec<never>, "$2")} AS org`,
    [m.userId, m.organizationId],
  );
  return !rows[0]!.user ? `user ${m.userId}` : !rows[0]!.org ? `organization ${m.organizationId}` : undefined;
}

/** The row holding this membership's (organization, user) pair under another Clerk id, and whether it is the newer record. */
export async function membershipTwin(client: pg.PoolClient, m: MembershipRow, mirror: Mirror = DEFAULT_MIRROR): Promise<{ id: string; newer: boolean } | undefined> {
  const spec = mirror.memberships;
  // A column holding a parent's app key matches the key of the parent with that Clerk id.
  const pairColumn = (field: "userId" | "organizationId", param: string) => {
    const c = columnOf(spec, field)!;
    const parent = c.refers && mirror[c.refers];
    const value = parent?.primaryKey ? `(SELECT p.${ident(parent.primaryKey.column)} FROM ${ident(parent.table)} p WHERE p.${ident(parent.id.column)} = ${param})` : param;
    return `m.${ident(c.column)} = ${value}`;
  };
  const createdAt = columnOf(spec, "createdAt");
  const { rows } = await client.query<{ id: string; newer: boolean }>(
    `SELECT m.${ident(spec.id.column)} AS id, ${createdAt ? `m.${ident(createdAt.column)} > to_timestamp($4::float8 / 1000)` : "false"} AS newer
       FROM ${ident(spec.table)} m WHERE ${pairColumn("organizationId", "$1")} AND ${pairColumn("userId", "$2")} AND m.${ident(spec.id.column)} <> $3`,
    // $4 only where the app maps createdAt: PostgreSQL refuses a parameter the text never names.
    [m.organizationId, m.userId, m.id, ...(createdAt ? [m.createdAt] : [])],
  );
  return rows[0];
}

// Set-based writes for the Clerk-mirrored tables: each statement takes whole columns as arrays
// and runs once per batch (`… FROM unnest($1::text[], …)`), never once per row.
import type pg from "pg";
import type { MembershipRow, OrganizationRow, UserRow } from "../sync/rows.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Upserts users. The WHERE guard keeps a newer copy (e.g. written by a webhook while we were
 * paging) from being overwritten by an older one; equal updatedAt still repairs local edits.
 */
export async function upsertUsers(client: pg.PoolClient, rows: readonly UserRow[]): Promise<number> {
  if (!rows.length) return 0;
  const res = await client.query(
    `INSERT INTO "User" (id, email, "firstName", "lastName", username, "imageUrl", "createdAt", "updatedAt", "syncedAt")
     SELECT u.*, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[])
       AS u(id, email, "firstName", "lastName", username, "imageUrl", "createdAt", "updatedAt")
     ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, "firstName" = EXCLUDED."firstName", "lastName" = EXCLUDED."lastName",
       username = EXCLUDED.username, "imageUrl" = EXCLUDED."imageUrl", "createdAt" = EXCLUDED."createdAt",
       "updatedAt" = EXCLUDED."updatedAt", "syncedAt" = EXCLUDED."syncedAt"
     WHERE "User"."updatedAt" <= EXCLUDED."updatedAt"`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.email),
      rows.map((r) => r.firstName),
      rows.map((r) => r.lastName),
      rows.map((r) => r.username),
      rows.map((r) => r.imageUrl),
      rows.map((r) => iso(r.createdAt)),
      rows.map((r) => iso(r.updatedAt)),
    ],
  );
  return res.rowCount ?? 0;
}

export async function upsertOrganizations(client: pg.PoolClient, rows: readonly OrganizationRow[]): Promise<number> {
  if (!rows.length) return 0;
  const res = await client.query(
    `INSERT INTO "Organization" (id, name, slug, "imageUrl", "createdAt", "updatedAt", "syncedAt")
     SELECT o.*, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
       AS o(id, name, slug, "imageUrl", "createdAt", "updatedAt")
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, slug = EXCLUDED.slug, "imageUrl" = EXCLUDED."imageUrl",
       "createdAt" = EXCLUDED."createdAt", "updatedAt" = EXCLUDED."updatedAt", "syncedAt" = EXCLUDED."syncedAt"
     WHERE "Organization"."updatedAt" <= EXCLUDED."updatedAt"`,
    [rows.map((r) => r.id), rows.map((r) => r.name), rows.map((r) => r.slug), rows.map((r) => r.imageUrl), rows.map((r) => iso(r.createdAt)), rows.map((r) => iso(r.updatedAt))],
  );
  return res.rowCount ?? 0;
}

export async function upsertMemberships(client: pg.PoolClient, rows: readonly MembershipRow[]): Promise<number> {
  if (!rows.length) return 0;
  const res = await client.query(
    `INSERT INTO "OrganizationMembership" (id, "organizationId", "userId", role, "createdAt", "updatedAt", "syncedAt")
     SELECT m.*, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
       AS m(id, "organizationId", "userId", role, "createdAt", "updatedAt")
     ON CONFLICT (id) DO UPDATE SET "organizationId" = EXCLUDED."organizationId", "userId" = EXCLUDED."userId", role = EXCLUDED.role,
       "createdAt" = EXCLUDED."createdAt", "updatedAt" = EXCLUDED."updatedAt", "syncedAt" = EXCLUDED."syncedAt"
     WHERE "OrganizationMembership"."updatedAt" <= EXCLUDED."updatedAt"`,
    [rows.map((r) => r.id), rows.map((r) => r.organizationId), rows.map((r) => r.userId), rows.map((r) => r.role), rows.map((r) => iso(r.createdAt)), rows.map((r) => iso(r.updatedAt))],
  );
  return res.rowCount ?? 0;
}

/** Gives memberships the new ids Clerk lists for the same (organization, user) pair. */
export async function rekeyMemberships(client: pg.PoolClient, pairs: readonly { previousId: string; id: string }[]): Promise<number> {
  if (!pairs.length) return 0;
  const res = await client.query(
    `UPDATE "OrganizationMembership" AS m SET id = k.id FROM unnest($1::text[], $2::text[]) AS k(previous, id) WHERE m.id = k.previous`,
    [pairs.map((p) => p.previousId), pairs.map((p) => p.id)],
  );
  return res.rowCount ?? 0;
}

export type { MirroredTable } from "./mirrored-columns.ts";
import type { MirroredTable } from "./mirrored-columns.ts";

export async function deleteByIds(client: pg.PoolClient, table: MirroredTable, ids: readonly string[]): Promise<number> {
  if (!ids.length) return 0;
  const res = await client.query(`DELETE FROM "${table}" WHERE id = ANY($1::text[])`, [ids]);
  return res.rowCount ?? 0;
}

// The mirror's set-based statements, each run once per batch (rows as one JSON text,
// `… FROM jsonb_to_recordset($1)`, or id arrays), never once per row. They set exactly the
// registry's columns (columns.ts), never an app-added one. Callers go through write-unit.ts.
import type pg from "pg";
import { clerkCopyMayReplaceSql, type SyncSource } from "./freshness.ts";
import type { MembershipRow, OrganizationRow, UserRow } from "./rows.ts";
import { MEMBERSHIP, MIRRORED_COLUMNS, ORGANIZATION, USER, type ColumnSpec, type EntitySpec, type MirroredTable, type SqlType } from "./columns.ts";
import { SafetyError } from "../errors.ts";

export type { MirroredTable } from "./columns.ts";

/**
 * `INSERT … SELECT … FROM jsonb_to_recordset(…) ON CONFLICT (id) DO UPDATE` of `columns`, plus Clerk's
 * updated_at as `clerkUpdatedAt`, the write path as `syncSource` and `syncedAt`. The WHERE guard
 * (clerkCopyMayReplace) keeps a newer copy from Clerk from being replaced by an older one, and
 * replaces anything else: a local edit is repaired.
 */
async function upsert<R extends { id: string; updatedAt: number }>(
  client: pg.PoolClient,
  spec: EntitySpec<R>,
  rows: readonly R[],
  origin: WriteOrigin,
  /** A further condition on the batch's row `r`. */
  onlyIf = "TRUE",
): Promise<number> {
  if (!rows.length) return 0;
  const { table } = spec;
  const columns: readonly ColumnSpec[] = [spec.id, ...spec.compared];
  const names = columns.map(({ column }) => `"${column}"`);
  // The batch travels as one JSON text (JSON.stringify is native; pg's array literals are built
  // element by element in JS). jsonb values are JSON texts themselves: declared text, cast back.
  // Timestamps travel as Clerk's epoch ms and are converted by PostgreSQL, not as ISO texts built
  // with a Date per value. to_timestamp's float8 result can be a few µs off; the columns'
  // timestamptz(3) rounding makes the stored value exact.
  const wireType = (type: SqlType) => (type === "jsonb" ? "text" : type === "timestamptz" ? "float8" : type);
  const recordType = columns.map(({ column, type }) => `"${column}" ${wireType(type)}`).join(", ");
  const value = (name: string, type: SqlType) => (type === "jsonb" ? `r."${name}"::jsonb` : type === "timestamptz" ? `to_timestamp(r."${name}" / 1000)` : `r."${name}"`);
  const batch = JSON.stringify(
    rows.map((row) => {
      const record: Record<string, unknown> = {};
      for (const { field, column } of columns) record[column] = row[field as keyof R];
      return record;
    }),
  );
  // PostgreSQL checks NOT NULL on the proposed row before ON CONFLICT: the app's required columns
  // (NOT NULL, no default) are proposed with the row's own values, so an update never trips them.
  const kept = await requiredAppColumns(client, table);
  const keptNames = kept.map((c) => `"${c}"`);
  // A tombstone from `tombstonesSince` on means Clerk deleted the record after this copy was read.
  const res = await client.query(
    `INSERT INTO "${table}" (${[...names, ...keptNames].join(", ")}, "clerkUpdatedAt", "syncSource", "syncedAt")
     SELECT ${[...columns.map(({ column, type }) => value(column, type)), ...keptNames.map((c) => `e.${c}`)].join(", ")}, ${value(updatedAtColumn(spec), "timestamptz")}, $2::text, now()
     FROM jsonb_to_recordset($1::jsonb) AS r(${recordType})${kept.length ? ` LEFT JOIN "${table}" e ON e.id = r.id` : ""}
     WHERE NOT EXISTS (SELECT 1 FROM "ClerkTombstone" t WHERE t.id = r.id AND t."deletedAt" >= to_timestamp($3::float8 / 1000)) AND ${onlyIf}
     ON CONFLICT (id) DO UPDATE SET ${[...names, `"clerkUpdatedAt"`, `"syncSource"`, `"syncedAt"`]
       .filter((c) => c !== `"id"`)
       .map((c) => `${c} = EXCLUDED.${c}`)
       .join(", ")}
     WHERE ${clerkCopyMayReplaceSql(table)}`,
    [batch, origin.source, origin.tombstonesSince],
  ).catch((err: unknown) => {
    const column = (err as { code?: string; column?: string }).column;
    if ((err as { code?: string }).code !== "23502" || !column || !kept.includes(column)) throw err;
    throw new SafetyError(
      `A Clerk record has no row in "${table}" yet, and "${table}"."${column}" is NOT NULL with no default, so there is no value to write. ` +
        `Give the column a default or make it optional in schema.prisma and migrate, or let the app create the row first.`,
      { cause: err },
    );
  });
  return res.rowCount ?? 0;
}

/** The app's columns of a Clerk table that are NOT NULL with no default (one catalog read per batch: the schema may change between runs). */
async function requiredAppColumns(client: pg.PoolClient, table: MirroredTable): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull AND NOT a.atthasdef
        AND a.attidentity = '' AND a.attgenerated = '' AND NOT (a.attname = ANY($2::text[]))
      ORDER BY a.attnum`,
    [`"${table}"`, MIRRORED_COLUMNS[table]],
  );
  return rows.map((x) => x.name);
}

/** The column holding Clerk's updated_at: the copy's provenance. */
const updatedAtColumn = <R>(spec: EntitySpec<R>) => spec.compared.find((c) => c.field === "updatedAt")!.column;

/**
 * Which Clerk write path writes (recorded per row), and which tombstones stop it: those written at
 * or after `tombstonesSince` (epoch ms). A webhook passes 0: a deleted record never comes back
 * through one. A resync passes the time its listing started: a record deleted while it paged stays
 * deleted, one deleted before and listed again is Clerk's again (see clearTombstones).
 */
export interface WriteOrigin {
  source: SyncSource;
  tombstonesSince: number;
}

export const RESYNC_ORIGIN: WriteOrigin = { source: "resync", tombstonesSince: 0 };
export const WEBHOOK_ORIGIN: WriteOrigin = { source: "webhook", tombstonesSince: 0 };

export function upsertUsers(client: pg.PoolClient, rows: readonly UserRow[], origin: WriteOrigin = RESYNC_ORIGIN): Promise<number> {
  return upsert(client, USER, rows, origin);
}

export function upsertOrganizations(client: pg.PoolClient, rows: readonly OrganizationRow[], origin: WriteOrigin = RESYNC_ORIGIN): Promise<number> {
  return upsert(client, ORGANIZATION, rows, origin);
}

/**
 * A membership whose user or organization is gone (deleted by a webhook while the listing ran, so
 * its own upsert was stopped by the tombstone) is left out instead of failing the foreign key and
 * the whole batch: Clerk deleted it with its parent, and the next run confirms that.
 */
export function upsertMemberships(client: pg.PoolClient, rows: readonly MembershipRow[], origin: WriteOrigin = RESYNC_ORIGIN): Promise<number> {
  return upsert(
    client,
    MEMBERSHIP,
    rows,
    origin,
    `EXISTS (SELECT 1 FROM "User" u WHERE u.id = r."userId") AND EXISTS (SELECT 1 FROM "Organization" o WHERE o.id = r."organizationId")`,
  );
}

/**
 * Gives memberships the new ids Clerk lists for the same (organization, user) pair. The row's
 * provenance belonged to the old Clerk record, so it is cleared: the upsert that follows writes
 * the new record's copy whatever its timestamps.
 */
export async function writeMembershipRekeys(client: pg.PoolClient, pairs: readonly { previousId: string; id: string }[]): Promise<number> {
  if (!pairs.length) return 0;
  const res = await client.query(
    `UPDATE "OrganizationMembership" AS m SET id = k.id, "clerkUpdatedAt" = NULL FROM unnest($1::text[], $2::text[]) AS k(previous, id) WHERE m.id = k.previous`,
    [pairs.map((p) => p.previousId), pairs.map((p) => p.id)],
  );
  return res.rowCount ?? 0;
}

/** Deletes rows Clerk no longer has and leaves a tombstone for each, so a late copy cannot bring one back. */
export async function deleteByIds(client: pg.PoolClient, table: MirroredTable, ids: readonly string[], source: SyncSource = "resync"): Promise<number> {
  if (!ids.length) return 0;
  await client.query(
    `INSERT INTO "ClerkTombstone" (id, entity, "deletedAt", source) SELECT unnest($1::text[]), $2, now(), $3
     ON CONFLICT (id) DO UPDATE SET "deletedAt" = EXCLUDED."deletedAt", source = EXCLUDED.source`,
    [ids, table, source],
  );
  const res = await client.query(`DELETE FROM "${table}" WHERE id = ANY($1::text[])`, [ids]);
  return res.rowCount ?? 0;
}

/**
 * Rows a tombstone from `since` on says are deleted. An upsert that ran while another transaction
 * deleted the same row re-inserts it (ON CONFLICT finds the row gone): this statement, run after
 * the upserts in the same transaction, sees that delete's tombstone and undoes the re-insert.
 */
export async function removeTombstoned(client: pg.PoolClient, table: MirroredTable, since: number, onlyIds?: readonly string[]): Promise<number> {
  const res = await client.query(
    `DELETE FROM "${table}" AS r USING "ClerkTombstone" AS t
      WHERE t.id = r.id AND t."deletedAt" >= to_timestamp($1::float8 / 1000) AND ($2::text[] IS NULL OR r.id = ANY($2::text[]))`,
    [since, onlyIds ?? null],
  );
  return res.rowCount ?? 0;
}

/** Clerk lists these ids again in a listing that started after their tombstones: they are its records again. */
export async function clearTombstones(client: pg.PoolClient, ids: readonly string[], before: number): Promise<number> {
  if (!ids.length) return 0;
  const res = await client.query(`DELETE FROM "ClerkTombstone" WHERE id = ANY($1::text[]) AND "deletedAt" < to_timestamp($2::float8 / 1000)`, [ids, before]);
  return res.rowCount ?? 0;
}

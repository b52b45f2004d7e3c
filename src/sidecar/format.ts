import { z } from "zod";
import { SidecarFormatError } from "../errors.ts";
import { upgradeVersion1, version1Schema } from "./format-v1.ts";

export { SidecarFormatError };

/**
 * The sidecar holds the local data, table by table, exactly: every column of every owned row
 * (ids and timestamps included), Clerk's tables whole (a restore writes only the app's columns;
 * a reset puts the rows back before the resync), tables the app asked to keep, and in a reset's
 * backup the tombstones and delivery ledger.
 */
export const SIDECAR_FORMAT = "clerk-resync-sidecar";
export const SIDECAR_VERSION = 2;

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const json: z.ZodType<Json> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));

/** A foreign key written as the seeded target's unique key. `"id"` (older files: the raw id) is read as the raw value. */
const reference = z.object({ table: z.string().min(1), by: z.union([z.literal("id"), z.array(z.string().min(1)).min(1)]) });

export const tableEntry = z.object({
  /** "tool": the tombstones and delivery ledger a reset carries over. */
  role: z.enum(["owned", "keep", "seeded", "mirrored", "tool"]),
  /**
   * Column → SQL type. Values are the column's text form (exact for decimals, bytes, arrays;
   * timestamps in UTC with microseconds), JSON for json/jsonb, and booleans and small integers as such.
   */
  columns: z.record(z.string(), z.string()),
  /** Foreign key columns whose values are references (see `reference`), not raw values. */
  references: z.record(z.string(), reference).default({}),
  rows: z.array(z.record(z.string(), json)),
});

/** A sequence's state, as `setval(seq, last, called)` takes it (last as bigint text). */
const sequenceState = z.object({ last: z.string().regex(/^-?\d+$/), called: z.boolean() });

export const sidecarSchema = z.object({
  format: z.literal(SIDECAR_FORMAT),
  version: z.literal(SIDECAR_VERSION),
  createdAt: z.string().datetime(),
  /** The Clerk instance the ids belong to, when known. */
  clerkInstanceId: z.string().nullable(),
  /** The database the file was read from (host:port/name or the embedded folder); absent in older files. */
  database: z.string().optional(),
  reason: z.enum(["backup", "reset", "prune", "team", "share"]),
  /** Values left out because they looked like secrets (only in files written with --share). */
  strippedSecrets: z.array(z.string()),
  /** Backed-up tables in restore order (parents first). */
  tables: z.record(z.string(), tableEntry),
  /**
   * A backup's (or a reset's) serial and identity columns, by table and column, every table of
   * the schema: where each sequence stood, so a restore never hands out again an id the app used.
   */
  sequences: z.record(z.string(), z.record(z.string(), sequenceState)).optional(),
});

export type Sidecar = z.infer<typeof sidecarSchema>;
export type SidecarTable = z.infer<typeof tableEntry>;
export type SidecarReference = z.infer<typeof reference>;
export type SidecarRow = Record<string, Json>;

const describe = (issues: z.core.$ZodIssue[]) => issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");

/** Validates a parsed file; a foreign, newer or malformed file is refused with what is wrong. Version 1 is upgraded. */
export function parseSidecar(data: unknown, source: string): Sidecar {
  const header = data as { format?: unknown; version?: unknown } | null;
  if (!header || typeof header !== "object" || header.format !== SIDECAR_FORMAT) {
    throw new SidecarFormatError(`${source} is not a clerk-resync sidecar (expected "format": "${SIDECAR_FORMAT}"); nothing was restored`);
  }
  if (typeof header.version === "number" && header.version > SIDECAR_VERSION) {
    throw new SidecarFormatError(`${source} is sidecar version ${header.version}, newer than this tool reads (${SIDECAR_VERSION}): update clerk-resync; nothing was restored`);
  }
  if (header.version === 1) {
    const v1 = version1Schema.safeParse(data);
    if (!v1.success) throw new SidecarFormatError(`${source} is malformed (${describe(v1.error.issues)}); nothing was restored`);
    return upgradeVersion1(v1.data);
  }
  const parsed = sidecarSchema.safeParse(data);
  if (!parsed.success) throw new SidecarFormatError(`${source} is malformed (${describe(parsed.error.issues)}); nothing was restored`);
  return parsed.data;
}

/** Keys in the schema's order: a written file must read back identically. */
export function emptySidecar(reason: Sidecar["reason"], clerkInstanceId: string | null, now = new Date(), database?: string): Sidecar {
  return { format: SIDECAR_FORMAT, version: SIDECAR_VERSION, createdAt: now.toISOString(), clerkInstanceId, ...(database ? { database } : {}), reason, strippedSecrets: [], tables: {} };
}

/** Rows per table, for reports. */
export function countRows(sidecar: Sidecar): Record<string, number> {
  return Object.fromEntries(Object.entries(sidecar.tables).map(([name, t]) => [name, t.rows.length]));
}

export const totalRows = (sidecar: Sidecar) => Object.values(sidecar.tables).reduce((n, t) => n + t.rows.length, 0);

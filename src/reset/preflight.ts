import type { ClerkApi } from "../clerk/client.ts";
import type { Database } from "../db/database.ts";
import { errorMessage, SafetyError, StepError } from "../errors.ts";
import { findUnclassifiedWithRows, readLocalTables, type TableSettings } from "../sidecar/local-tables.ts";
import { checkInstance } from "../sync/resync.ts";
import { countClerkTables, isMigrated, type ClerkCounts } from "./counts.ts";
import { assertResettable } from "./local-database.ts";
import { findUnsavedRecords, unsavedRecordsError } from "./unsaved-app-columns.ts";

export interface PreflightResult {
  instanceId: string;
  before: ClerkCounts;
}

/**
 * Everything that can be checked before anything is built: Clerk reachable with this key, the
 * database reachable, local, synced from this Clerk instance, every table with rows either
 * Clerk's, owned by a user or organization, or classified, and every Clerk record able to fill
 * the app's required columns. Only reads.
 */
export async function preflight(db: Database, api: ClerkApi, options: { yes: boolean; forceInstance: boolean; settings: TableSettings }): Promise<PreflightResult> {
  assertResettable(db, options.yes);
  let before: ClerkCounts;
  try {
    before = await countClerkTables(db.pool, options.settings.mirror);
  } catch (err) {
    throw new StepError(`Database not reachable: ${errorMessage(err)}. Start it or fix DATABASE_URL; nothing was changed.`, undefined, { cause: err });
  }
  const tables = (await isMigrated(db.pool, options.settings.mirror)) ? await readLocalTables(db.pool, options.settings) : undefined;
  if (tables) {
    const unclassified = await findUnclassifiedWithRows(db.pool, tables);
    if (unclassified.length) throw unclassifiedError(unclassified);
  }
  const instanceId = await api.fetchInstanceId();
  if (before.users || before.organizations) await checkInstance(db, instanceId, options.forceInstance);
  if (tables) {
    const unsaved = await findUnsavedRecords(db.pool, api, tables);
    if (unsaved.length) throw unsavedRecordsError(unsaved, "db:reset", "Nothing was changed.");
  }
  return { instanceId, before };
}

function unclassifiedError(tables: { table: string; rows: number }[]): SafetyError {
  const list = tables.map((t) => `${t.table} (${t.rows} rows)`).join(", ");
  const example = tables.map((t) => `"${t.table}": "keep"`).join(", ");
  return new SafetyError(
    `db:reset would lose ${list}: ${tables.length === 1 ? "this table belongs" : "these tables belong"} to no user or organization and ${tables.length === 1 ? "is" : "are"} not classified. ` +
      `Say what each is in clerk-resync.config.ts, \`tables: { ${example} }\` (or package.json "clerkResync": { "tables": … }) — "keep" (backed up and restored whole), "seeded" (the seed recreates it) or "disposable" (may be lost). Nothing was changed.`,
  );
}

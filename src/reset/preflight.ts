import type { ClerkApi } from "../clerk/client.ts";
import type { Database } from "../db/database.ts";
import { errorMessage, StepError } from "../errors.ts";
import { checkInstance } from "../sync/resync.ts";
import { countTables, type TableCounts } from "./counts.ts";
import { assertResettable } from "./local-database.ts";

export interface PreflightResult {
  instanceId: string;
  before: TableCounts;
}

/**
 * Everything that can be checked before anything is touched: Clerk reachable with this key, the
 * database reachable, local, and synced from this Clerk instance. Only reads.
 */
export async function preflight(db: Database, api: ClerkApi, options: { yes: boolean; forceInstance: boolean }): Promise<PreflightResult> {
  assertResettable(db, options.yes);
  let before: TableCounts;
  try {
    before = await countTables(db.pool);
  } catch (err) {
    throw new StepError(`Database not reachable: ${errorMessage(err)}. Start it or fix DATABASE_URL; nothing was changed.`, undefined, { cause: err });
  }
  const instanceId = await api.fetchInstanceId();
  if (before.users || before.organizations) await checkInstance(db, instanceId, options.forceInstance);
  return { instanceId, before };
}

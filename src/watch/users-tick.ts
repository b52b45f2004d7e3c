// The watcher's quick tick: users changed since the watermark, newest first, through the same
// map, plan and guarded apply as a resync. Users deleted in Clerk, organizations and memberships
// have no such order: the periodic full resync covers them.
import type { ClerkApi } from "../clerk/client.ts";
import type { Database } from "../db/database.ts";
import { readLabelSources, readLocalUsers, readUsersWatermark } from "../mirror/local-state.ts";
import { applyParents } from "../sync/apply.ts";
import { buildLabelBook, planChanges, type Change } from "../sync/changes.ts";
import { createSnapshotMapper, type MapOptions } from "../sync/map.ts";
import { createSyncPlanner } from "../sync/plan.ts";
import type { Mirror } from "../mirror/columns.ts";

/** Re-read users this close to the watermark: several may share one updated_at. */
export const WATERMARK_MARGIN_MS = 1_000;

export interface UsersTickResult {
  /** No watermark yet (an empty mirror): a full resync must run first. */
  needsFull: boolean;
  changes: Change[];
  rowsWritten: number;
}

export async function runUsersTick(deps: { db: Database; api: ClerkApi }, options: { instanceId: string; map: MapOptions; mirror?: Mirror }): Promise<UsersTickResult> {
  const { db, api } = deps;
  const watermark = await readUsersWatermark(db.pool, options.mirror);
  if (watermark === null) return { needsFull: true, changes: [], rowsWritten: 0 };
  const listedSince = Date.now();
  const users = await api.fetchUsersChangedSince(watermark - WATERMARK_MARGIN_MS);
  if (!users.length) return { needsFull: false, changes: [], rowsWritten: 0 };

  const planner = createSyncPlanner(await readLocalUsers(db.pool, users.map((u) => u.id), options.mirror), undefined, options.mirror);
  const mapper = createSnapshotMapper({ users: planner.users, organizations: planner.organizations, memberships: planner.memberships }, { ...options.map, mirror: options.mirror });
  mapper.users(users);
  const plan = planner.finish(planner.present(mapper.refused), mapper.invalid);
  const rowsWritten = await applyParents(db.pool, plan.users, plan.organizations, { instanceId: options.instanceId, listedSince, mirror: options.mirror });
  const book = await buildLabelBook(plan, [], (ids) => readLabelSources(db.pool, ids, options.mirror));
  const changes = [...planChanges(plan, book)].filter((c) => c.op !== "keep");
  return { needsFull: false, changes, rowsWritten };
}

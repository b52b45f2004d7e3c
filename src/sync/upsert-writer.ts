import type pg from "pg";
import type { EntityRow } from "../mirror/rows.ts";
import { writeMirror, type TableFactsCache, type WriteOrigin } from "../mirror/write-unit.ts";
import type { Mirror } from "../mirror/columns.ts";
import { inTransaction } from "../db/transaction.ts";
import { trimHeap } from "./heap.ts";
import type { ReadyUpserts, Upserts } from "./plan.ts";

type Entity = "users" | "organizations" | "memberships";

/** Rows of one entity taken from the queue. */
interface Batch {
  entity: Entity;
  rows: readonly { id: string }[];
  createdIds: string[];
}

/** Told each batch of user or organization creates once written; true when it keeps what it needs of them. */
export type CreatesWritten = (entity: "users" | "organizations", created: readonly object[]) => boolean;

export interface UpsertWriter extends ReadyUpserts {
  /** Rows already written: the apply step skips them. Creates a `handOverCreates` listener took are not in it. */
  readonly written: ReadonlySet<object>;
  /** Hands written creates of users and organizations to `listener` (the planner) instead of holding them. */
  handOverCreates(listener: CreatesWritten): void;
  /** Rows the database reported written so far. */
  readonly rowsWritten: number;
  /** Waits for every queued row to be written; the rows written. Throws the first write error. */
  finish(): Promise<number>;
  /** Writes nothing more (queued rows are dropped) and waits for the writes in flight. */
  stop(): Promise<void>;
}

/**
 * Writes creates and updates while the listing still runs, so writing overlaps the network
 * instead of following it. They are Clerk's truth whatever the rest of the listing shows, and the
 * upserts are guarded (a newer copy is never replaced), so writing them early is safe; deletes never
 * go this way: they wait for the whole listing, the by-id confirmation and the mass-delete guard.
 * Nothing is written before `instance` (the instance check) resolves. Each write is a transaction
 * of its own holding whatever queued meanwhile (up to `batchSize` rows): a fast listing gets a few
 * large batches, a slow one small batches that keep up with it. Users and organizations are
 * written one batch at a time and alone, so a membership is only ever written after its parents
 * have committed; membership batches, which depend on nothing but parents, run `lanes` at a time.
 */
export function createUpsertWriter(
  pool: pg.Pool,
  options: { instance: Promise<string>; origin: WriteOrigin; batchSize: number; lanes: number; onError: (err: unknown) => void; mirror?: Mirror },
): UpsertWriter {
  const queued: { [E in Entity]: { create: EntityRow[E][]; update: EntityRow[E][] } } = {
    users: { create: [], update: [] },
    organizations: { create: [], update: [] },
    memberships: { create: [], update: [] },
  };
  const written = new Set<object>();
  /** The catalog facts of the tables, read by the first batch: the schema does not change during a run. */
  const facts: TableFactsCache = new Map();
  let rowsWritten = 0;
  let instanceRecorded = false;
  let failure: { err: unknown } | undefined;
  let stopped = false;
  /** The batches being written. */
  const running = new Set<Promise<void>>();
  let parentsInFlight = false;
  let createsWritten: CreatesWritten | undefined;

  const isQueued = (e: Entity) => queued[e].create.length > 0 || queued[e].update.length > 0;
  const take = <E extends Entity>(entity: E): Batch => {
    const q = queued[entity];
    const create = q.create.splice(0, options.batchSize);
    const rows = [...create, ...q.update.splice(0, options.batchSize - create.length)];
    return { entity, rows, createdIds: create.map((r) => r.id) };
  };
  /** The next batch that may start now, if any. */
  const nextBatch = (): Batch | undefined => {
    const parents = (["users", "organizations"] as const).find(isQueued);
    if (parents) {
      if (running.size > 0) return undefined;
      parentsInFlight = true;
      return take(parents);
    }
    return !parentsInFlight && running.size < options.lanes && isQueued("memberships") ? take("memberships") : undefined;
  };

  const writeBatch = async ({ entity, rows, createdIds }: Batch) => {
    const instanceId = await options.instance;
    const recordInstance = !instanceRecorded;
    instanceRecorded = true;
    const write = { [entity]: rows, relisted: createdIds, instanceId: recordInstance ? instanceId : undefined };
    const { written: n } = await inTransaction(pool, (client) => writeMirror(client, write, options.origin, { batchSize: Number.POSITIVE_INFINITY, mirror: options.mirror, facts }));
    // Added after the await: `rowsWritten += await …` would add to the value read before it, and
    // lose a concurrent batch's count.
    rowsWritten += n;
    // Parent batches are written one at a time, in the order their creates were planned.
    const handedOver = entity !== "memberships" && createdIds.length > 0 && createsWritten?.(entity, rows.slice(0, createdIds.length)) === true;
    for (let i = handedOver ? createdIds.length : 0; i < rows.length; i++) written.add(rows[i]!);
    // The batch's parameter text is garbage now, and large.
    trimHeap();
  };

  const pump = () => {
    for (let batch = nextBatch(); batch && !stopped && !failure; batch = nextBatch()) {
      const done: Promise<void> = writeBatch(batch)
        .catch((err: unknown) => {
          failure ??= { err };
          options.onError(err);
        })
        .finally(() => {
          running.delete(done);
          parentsInFlight = false; // a parent batch only ever runs alone
          if (!stopped && !failure) pump();
        });
      running.add(done);
    }
  };
  /** Until nothing is being written (a finished batch may start the next, hence the loop). */
  const settled = async () => {
    while (running.size) await Promise.all(running);
  };

  const enqueue =
    <E extends Entity>(entity: E) =>
    (upserts: Upserts<EntityRow[E]>) => {
      if (stopped || failure) return;
      queued[entity].create.push(...upserts.create);
      queued[entity].update.push(...upserts.update);
      pump();
    };

  return {
    users: enqueue("users"),
    organizations: enqueue("organizations"),
    memberships: enqueue("memberships"),
    written,
    handOverCreates(listener) {
      createsWritten = listener;
    },
    get rowsWritten() {
      return rowsWritten;
    },
    async finish() {
      await settled();
      if (failure) throw failure.err;
      return rowsWritten;
    },
    async stop() {
      stopped = true;
      await settled();
    },
  };
}

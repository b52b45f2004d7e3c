// Where each serial or identity column's sequence stands. Ids live on outside the database (URLs,
// Clerk metadata, logs), so a reset or a restore must never hand out again a value the live
// database already handed out: not a deleted row's id, not one a rolled-back insert spent, not
// one past a RESTART. Sequences only ever move forward here.
import type pg from "pg";
import type { Catalog } from "./catalog.ts";
import { quote } from "./row-codec.ts";

/** A sequence's state as `setval(seq, last, called)` sets it: `called` false means `last` is handed out next. */
export interface SequenceState {
  last: string;
  called: boolean;
}

export type SavedSequences = Readonly<Record<string, Readonly<Record<string, SequenceState>>>>;

type Queryable = pg.Pool | pg.PoolClient;

/** The value a sequence in `state` hands out next. */
const nextOf = (state: SequenceState, increment: bigint) => (state.called ? BigInt(state.last) + increment : BigInt(state.last));

/**
 * A sequence's state and increment (`name` quoted, as pg_get_serial_sequence gives it). Read from
 * the sequence itself where the role may (exact, a RESTART included); else from what USAGE allows
 * (the last value handed out, or the start when none was), as an app's usual grants have it.
 */
async function readState(db: Queryable, name: string): Promise<SequenceState & { increment: bigint }> {
  const { rows } = await db.query<{ readable: boolean; last: string | null; start: string; increment: string }>(
    `SELECT has_sequence_privilege($1::regclass, 'SELECT') AS readable, pg_sequence_last_value($1::regclass)::text AS last,
            p.seqstart::text AS start, p.seqincrement::text AS increment
       FROM pg_sequence p WHERE p.seqrelid = $1::regclass`,
    [name],
  );
  const r = rows[0]!;
  const increment = BigInt(r.increment);
  if (r.readable) {
    const { rows: exact } = await db.query<{ last: string; called: boolean }>(`SELECT last_value::text AS last, is_called AS called FROM ${name}`);
    return { ...exact[0]!, increment };
  }
  return r.last === null ? { last: r.start, called: false, increment } : { last: r.last, called: true, increment };
}

/**
 * Moves sequence `name` to the furthest of `targets`, if that is past where it stands; never back.
 * `exact`: to the furthest of `targets` even below where it stands — only in a database nobody else
 * uses yet (a reset's build, whose seed drew values for rows the restore then re-keyed).
 */
async function advance(db: Queryable, name: string, targets: readonly SequenceState[], exact = false): Promise<void> {
  const current = await readState(db, name);
  // A descending sequence is left as the app set it.
  if (current.increment <= 0n || !targets.length) return;
  let best = targets[0]!;
  for (const t of targets) if (nextOf(t, current.increment) > nextOf(best, current.increment)) best = t;
  const moves = exact ? best.last !== current.last || best.called !== current.called : nextOf(best, current.increment) > nextOf(current, current.increment);
  if (moves) await db.query(`SELECT setval($1::regclass, $2::bigint, $3)`, [name, best.last, best.called]);
}

/** The sequence behind each serial or identity column of `table`, quoted. */
async function columnSequences(db: Queryable, table: { name: string; sequenced: readonly string[] }): Promise<{ column: string; seq: string }[]> {
  const out: { column: string; seq: string }[] = [];
  for (const column of table.sequenced) {
    const { rows } = await db.query<{ seq: string | null }>(`SELECT pg_get_serial_sequence($1, $2) AS seq`, [quote(table.name), column]);
    if (rows[0]?.seq) out.push({ column, seq: rows[0].seq });
  }
  return out;
}

/** Every serial or identity column's sequence state, by table and column (what a backup records). */
export async function readSequences(db: Queryable, catalog: Catalog): Promise<Record<string, Record<string, SequenceState>>> {
  const out: Record<string, Record<string, SequenceState>> = {};
  for (const t of catalog.values()) {
    for (const { column, seq } of await columnSequences(db, t)) {
      const { last, called } = await readState(db, seq);
      (out[t.name] ??= {})[column] = { last, called };
    }
  }
  return out;
}

/**
 * Each sequence of `table` past the largest value the table holds and past where the backed-up
 * database left it (`saved`), whichever is further.
 */
export async function advanceSequences(db: Queryable, table: { name: string; sequenced: readonly string[] }, saved: Readonly<Record<string, SequenceState>> = {}, exact = false): Promise<void> {
  for (const { column, seq } of await columnSequences(db, table)) {
    const { rows } = await db.query<{ top: string | null }>(`SELECT max(${quote(column)})::text AS top FROM ${quote(table.name)}`);
    const top = rows[0]?.top;
    await advance(db, seq, [...(top == null ? [] : [{ last: top, called: true }]), ...(saved[column] ? [saved[column]] : [])], exact);
  }
}

/** Every saved sequence whose table `catalog` has, advanced (see advanceSequences). */
export async function advanceSavedSequences(db: Queryable, catalog: Catalog, saved: SavedSequences, exact = false): Promise<void> {
  for (const [name, columns] of Object.entries(saved)) {
    const t = catalog.get(name);
    if (t) await advanceSequences(db, t, columns, exact);
  }
}

/**
 * Every sequence of schema `from` that schema `to` also has is moved forward to where it stands in
 * `from` (a reset's switch: what the live database handed out while the new one was built).
 */
export async function carrySequences(db: Queryable, from: string, to: string): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT f.relname AS name FROM pg_class f JOIN pg_namespace fn ON fn.oid = f.relnamespace AND fn.nspname = $1
       JOIN pg_class t ON t.relname = f.relname AND t.relkind = 'S' JOIN pg_namespace tn ON tn.oid = t.relnamespace AND tn.nspname = $2
      WHERE f.relkind = 'S' ORDER BY 1`,
    [from, to],
  );
  for (const { name } of rows) {
    const state = await readState(db, `${quote(from)}.${quote(name)}`);
    await advance(db, `${quote(to)}.${quote(name)}`, [state]);
  }
}

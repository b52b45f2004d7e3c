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

type Queryable = pg.Pool | pg.PoolClient;

/** The value a sequence in `state` hands out next. */
const nextOf = (state: SequenceState, increment: bigint) => (state.called ? BigInt(state.last) + increment : BigInt(state.last));

/** A sequence's state and increment (`name` as pg_get_serial_sequence or quoteSequence gives it: quoted, safe as SQL). */
async function readState(db: Queryable, name: string): Promise<SequenceState & { increment: bigint }> {
  const { rows } = await db.query<{ last: string; called: boolean; increment: string }>(
    `SELECT s.last_value::text AS last, s.is_called AS called, p.seqincrement::text AS increment FROM ${name} s, pg_sequence p WHERE p.seqrelid = $1::regclass`,
    [name],
  );
  return { last: rows[0]!.last, called: rows[0]!.called, increment: BigInt(rows[0]!.increment) };
}

/** Moves sequence `name` to the furthest of `targets`, if that is past where it stands; never back. */
async function advance(db: Queryable, name: string, targets: readonly SequenceState[]): Promise<void> {
  const current = await readState(db, name);
  // A descending sequence is left as the app set it.
  if (current.increment <= 0n) return;
  let best: SequenceState | undefined;
  for (const t of targets) if (nextOf(t, current.increment) > nextOf(best ?? current, current.increment)) best = t;
  if (best) await db.query(`SELECT setval($1::regclass, $2::bigint, $3)`, [name, best.last, best.called]);
}

/** The sequence behind a serial or identity column, quoted, or null. */
async function sequenceOf(db: Queryable, table: string, column: string): Promise<string | null> {
  const { rows } = await db.query<{ seq: string | null }>(`SELECT pg_get_serial_sequence($1, $2) AS seq`, [quote(table), column]);
  return rows[0]?.seq ?? null;
}

/** Every serial or identity column's sequence state, by table and column (what a backup records). */
export async function readSequences(db: Queryable, catalog: Catalog): Promise<Record<string, Record<string, SequenceState>>> {
  const out: Record<string, Record<string, SequenceState>> = {};
  for (const t of catalog.values()) {
    for (const column of t.sequenced) {
      const seq = await sequenceOf(db, t.name, column);
      if (!seq) continue;
      const { last, called } = await readState(db, seq);
      (out[t.name] ??= {})[column] = { last, called };
    }
  }
  return out;
}

/**
 * After a restore of `table`: each sequence past the largest value the table holds and past where
 * the backed-up database left it (`saved`), whichever is further.
 */
export async function advanceSequences(db: Queryable, table: { name: string; sequenced: readonly string[] }, saved: Readonly<Record<string, SequenceState>> = {}): Promise<void> {
  for (const column of table.sequenced) {
    const seq = await sequenceOf(db, table.name, column);
    if (!seq) continue;
    const { rows } = await db.query<{ top: string | null }>(`SELECT max(${quote(column)})::text AS top FROM ${quote(table.name)}`);
    const top = rows[0]?.top;
    await advance(db, seq, [...(top == null ? [] : [{ last: top, called: true }]), ...(saved[column] ? [saved[column]] : [])]);
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

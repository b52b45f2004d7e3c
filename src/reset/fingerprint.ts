// A digest of every table of the live database, taken with the backup. The switch compares it
// again under lock: anything written to the live database meanwhile (a webhook, the app) would
// be lost by switching, so the reset stops instead and changes nothing.
import type pg from "pg";
import { quote } from "../sidecar/row-codec.ts";

export type Fingerprint = ReadonlyMap<string, string>;

export async function readFingerprint(client: pg.Pool | pg.PoolClient): Promise<Fingerprint> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  const out = new Map<string, string>();
  for (const { name } of tables) {
    const { rows } = await client.query<{ digest: string | null; n: string }>(`SELECT md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) AS digest, count(*) AS n FROM ${quote(name)} t`);
    out.set(name, `${rows[0]!.n}:${rows[0]!.digest ?? ""}`);
  }
  return out;
}

/** Tables whose content differs between two fingerprints (added and dropped tables included). */
export function changedTables(before: Fingerprint, now: Fingerprint): string[] {
  return [...new Set([...before.keys(), ...now.keys()])].filter((t) => before.get(t) !== now.get(t)).sort();
}

// Every table's data in the live schema, as `pg_dump --data-only` would hold it (each row's text
// form, sorted) and where each sequence stands, and the same through pg_dump itself where the server is a real PostgreSQL. Set
// aside: the mirror's syncedAt, and what a reset rewrites by design (Prisma's migration log, the
// time of the last sync).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import type { Database } from "../../src/db/database.ts";
import { pgConfigFromUrl } from "../../src/db/pg-config.ts";

export const REWRITTEN_BY_A_RESET = ["_prisma_migrations", "ClerkSyncState"];

export async function dataDump(db: Database): Promise<Record<string, string[]>> {
  const { rows: tables } = await db.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY 1`,
  );
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    if (REWRITTEN_BY_A_RESET.includes(name)) continue;
    const { rows: cols } = await db.pool.query<{ attname: string }>(
      `SELECT attname FROM pg_attribute WHERE attrelid = format('%I', $1::text)::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'syncedAt' ORDER BY attnum`,
      [name],
    );
    const list = cols.map((c) => `t."${c.attname}"`).join(", ");
    const { rows } = await db.pool.query<{ row: string }>(`SELECT ROW(${list})::text AS row FROM "${name}" t ORDER BY 1`);
    out[name] = rows.map((r) => r.row);
  }
  // Where each sequence stands, as pg_dump's setval lines say it: a reset that renumbered nothing
  // but let a deleted row's id be handed out again would not be exact either.
  const { rows: names } = await db.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'S' AND NOT EXISTS (
        SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND t.relname = ANY($1::text[]))
      ORDER BY 1`,
    [REWRITTEN_BY_A_RESET],
  );
  const sequences: { seq: string }[] = [];
  for (const { name } of names) {
    const { rows } = await db.pool.query<{ state: string }>(`SELECT last_value || CASE WHEN is_called THEN '' ELSE ' (not called)' END AS state FROM "${name}"`);
    sequences.push({ seq: `${name} ${rows[0]!.state}` });
  }
  out["(sequences)"] = sequences.map((r) => r.seq);
  return out;
}

/** `pg_dump --data-only` of the live schema (COPY blocks sorted, syncedAt blanked), or null without pg_dump or on PGlite. */
export function pgDump(db: Database): string | null {
  if (db.pglite) return null;
  const bin = pgDumpBinary();
  if (!bin) return null;
  const c = pgConfigFromUrl(db.url);
  const schema = new URL(db.url).searchParams.get("schema") ?? "public";
  const text = execFileSync(bin, ["--data-only", "--no-owner", `--schema=${schema}`, "-h", String(c.host), "-p", String(c.port), "-U", String(c.user ?? "postgres"), String(c.database)], {
    encoding: "utf8",
    env: { ...process.env, PGPASSWORD: String(c.password ?? "") },
    maxBuffer: 256 * 1024 * 1024,
  });
  // One block per table, its rows sorted: pg_dump's row order is the heap's, which a rebuild changes.
  const blocks = text.split(/\n(?=COPY )/).filter((b) => b.startsWith("COPY "));
  return blocks
    .filter((b) => !/^COPY [\w."]*\.?"?(_prisma_migrations|ClerkSyncState)"? /.test(b))
    .map((b) => {
      const [head, ...lines] = b.split("\n");
      const body = lines.slice(0, lines.indexOf("\\.")).map((l) => blankSyncedAt(head!, l)).sort();
      return [head, ...body].join("\n");
    })
    .join("\n\n");
}

function blankSyncedAt(head: string, line: string): string {
  const cols = /\((.*)\) FROM stdin/.exec(head)?.[1]?.split(", ") ?? [];
  const at = cols.indexOf('"syncedAt"');
  if (at === -1) return line;
  const values = line.split("\t");
  values[at] = "-";
  return values.join("\t");
}

function pgDumpBinary(): string | null {
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(`/usr/lib/postgresql/${v}/bin/pg_dump`)) return `/usr/lib/postgresql/${v}/bin/pg_dump`;
  return null;
}

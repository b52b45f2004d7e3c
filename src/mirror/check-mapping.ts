// The app's mapping against the database it is about to read and write: every table and column it
// names exists, before a query fails on an internal alias (`column m.emial does not exist`). One
// catalog read; each mistake named by its config key, with the name it most likely meant.
import type pg from "pg";
import { closest } from "../cli-args.ts";
import { ConfigError } from "../errors.ts";
import { ENTITIES, PROVENANCE, type EntitySpec, type Mirror } from "./columns.ts";

export async function checkMapping(pool: pg.Pool | pg.PoolClient, mirror: Mirror): Promise<void> {
  const { rows } = await pool.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'p')`,
  );
  const columnsOf = new Map<string, string[]>();
  for (const r of rows) columnsOf.set(r.table, [...(columnsOf.get(r.table) ?? []), r.column]);
  const problems: string[] = [];
  const meant = (name: string, among: readonly string[]) => {
    const near = closest(name, among);
    return near ? ` (did you mean "${near}"?)` : "";
  };
  for (const entity of ENTITIES) {
    const spec = mirror[entity] as EntitySpec<never>;
    const columns = columnsOf.get(spec.table);
    if (!columns) {
      problems.push(`mirror.${entity}.table: the database has no table "${spec.table}"${meant(spec.table, [...columnsOf.keys()])}`);
      continue;
    }
    const named: [key: string, column: string][] = [
      ["clerkId", spec.id.column],
      ...(spec.primaryKey ? [["primaryKey", spec.primaryKey.column] as [string, string]] : []),
      ...spec.compared.map((c): [string, string] => [`fields.${c.field}`, c.column]),
    ];
    for (const [key, column] of named) if (!columns.includes(column)) problems.push(`mirror.${entity}.${key}: "${spec.table}" has no column "${column}"${meant(column, columns)}`);
    const provenance = PROVENANCE.map((c) => c.column).filter((c) => !columns.includes(c));
    if (provenance.length) problems.push(`"${spec.table}" needs the provenance columns ${provenance.join(", ")} (clerk-resync init lists them as Prisma fields)`);
  }
  if (problems.length) throw new ConfigError(`The mapping in the app's config does not match the database: ${problems.join("; ")}. Fix the config (or migrate the schema), then run again.`);
}

// What maps where: the Mirror a run writes through, as `resync --dry-run` shows it to a person and
// `--json` to a script, so an app's mapping can be checked before anything is written.
import { PROVENANCE, type EntityName, type EntitySpec, type Mirror } from "./columns.ts";

export interface EntityMappingDescription {
  table: string;
  /** The column holding the Clerk id. */
  clerkId: string;
  /** The app's own primary key beside it, and how a new row gets one; null when the Clerk id is the key. */
  primaryKey: { column: string; generate: "cuid" | "uuid" | "database" } | null;
  /** Each mapped Clerk field and its column; a field holding a parent's app key says so. */
  fields: Record<string, string>;
  /** Written with every copy: Clerk's updated_at, the write path, when. */
  provenance: string[];
}

export type MirrorDescription = Record<EntityName, EntityMappingDescription>;

export function describeMirror(mirror: Mirror): MirrorDescription {
  const describe = (spec: EntitySpec<never>): EntityMappingDescription => ({
    table: spec.table,
    clerkId: spec.id.column,
    primaryKey: spec.primaryKey ? { column: spec.primaryKey.column, generate: spec.primaryKey.generate ?? "database" } : null,
    fields: Object.fromEntries(spec.compared.map((c) => [c.field, c.refers ? `${c.column} (${mirror[c.refers].table}.${mirror[c.refers].primaryKey!.column})` : c.column])),
    provenance: PROVENANCE.map((c) => c.column),
  });
  return { users: describe(mirror.users as EntitySpec<never>), organizations: describe(mirror.organizations as EntitySpec<never>), memberships: describe(mirror.memberships as EntitySpec<never>) };
}

/** A few lines per entity: table, keys, then `field → column` pairs. */
export function formatMirror(d: MirrorDescription): string {
  const lines = ["Where Clerk's records go:"];
  for (const entity of ["users", "organizations", "memberships"] as const) {
    const e = d[entity];
    const key = e.primaryKey ? `, app key "${e.primaryKey.column}" (${e.primaryKey.generate === "database" ? "the database's default" : `${e.primaryKey.generate} made on insert`})` : " (the primary key)";
    lines.push(`  ${entity} → "${e.table}": Clerk id in "${e.clerkId}"${key}`);
    lines.push(`    ${Object.entries(e.fields).map(([f, c]) => `${f} → ${c}`).join(", ")}`);
  }
  lines.push(`  Each row also gets ${d.users.provenance.join(", ")}; every other column is the app's.`);
  return lines.join("\n");
}

// An app column on a Clerk table that is NOT NULL and has no default can only come from a saved
// row. A Clerk record with no row here (a user created since the last sync) would have no value
// for it, and the new database could not be built: preflight says so before anything is built.
import type pg from "pg";
import type { ClerkApi } from "../clerk/client.ts";
import { MAX_PAGE } from "../clerk/client.ts";
import { ENTITIES, ident, type EntityName } from "../mirror/columns.ts";
import { SafetyError } from "../errors.ts";
import type { LocalTables } from "../sidecar/local-tables.ts";

export interface UnsavedRecords {
  entity: EntityName;
  table: string;
  columns: string[];
  ids: string[];
}

/** App columns of each Clerk table that only a saved row can fill. Pure. */
export function requiredAppColumns(tables: LocalTables): Map<EntityName, string[]> {
  const out = new Map<EntityName, string[]>();
  for (const entity of ENTITIES) {
    const spec = tables.classification.mirror[entity];
    const role = tables.classification.roles.get(spec.table);
    const t = tables.catalog.get(spec.table);
    if (role?.role !== "mirrored" || !t) continue;
    // An app key the mapping says how to generate is made by every Clerk write.
    const generated = spec.primaryKey?.generate ? spec.primaryKey.column : undefined;
    const required = t.columns.filter((c) => role.appColumns.includes(c.name) && !c.nullable && !c.hasDefault && c.name !== generated).map((c) => c.name);
    if (required.length) out.set(entity, required);
  }
  return out;
}

/** Clerk records of those tables with no local row. Lists only the tables that need it. */
export async function findUnsavedRecords(pool: pg.Pool, api: ClerkApi, tables: LocalTables): Promise<UnsavedRecords[]> {
  const out: UnsavedRecords[] = [];
  for (const [entity, columns] of requiredAppColumns(tables)) {
    const spec = tables.classification.mirror[entity];
    const clerk = await fetchClerkIds(api, entity);
    const { rows } = await pool.query<{ id: string }>(`SELECT ${ident(spec.id.column)} AS id FROM ${ident(spec.table)} WHERE ${ident(spec.id.column)} = ANY($1::text[])`, [clerk]);
    const local = new Set(rows.map((r) => r.id));
    const ids = clerk.filter((id) => !local.has(id));
    if (ids.length) out.push({ entity, table: spec.table, columns, ids });
  }
  return out;
}

async function fetchClerkIds(api: ClerkApi, entity: EntityName): Promise<string[]> {
  const ids: string[] = [];
  if (entity === "users") {
    for (let cursor: string | undefined; ; ) {
      const page = await api.fetchUsersAfter(cursor);
      ids.push(...page.map((u) => u.id));
      if (page.length < MAX_PAGE) return ids;
      cursor = page[page.length - 1]!.id;
    }
  }
  const list = entity === "organizations" ? (o: number) => api.fetchOrganizationsPage(o) : (o: number) => api.fetchMembershipsPage(o);
  for (let offset = 0; ; offset += MAX_PAGE) {
    const page = await list(offset);
    ids.push(...page.data.map((r) => r.id));
    if (page.data.length < MAX_PAGE || ids.length >= page.totalCount) return ids;
  }
}

export function unsavedRecordsError(found: readonly UnsavedRecords[], command: string, outcome: string): SafetyError {
  const parts = found.map((f) => {
    const shown = f.ids.slice(0, 3).join(", ") + (f.ids.length > 3 ? ` and ${f.ids.length - 3} more` : "");
    return `${f.ids.length} Clerk ${f.entity} (${shown}) have no row here, and "${f.table}".${f.columns.map((c) => `"${c}"`).join(", ")} ${f.columns.length === 1 ? "is" : "are"} NOT NULL with no default, so there is no value to write`;
  });
  const first = found[0]!;
  return new SafetyError(
    `${command} cannot bring back every Clerk record: ${parts.join("; ")}. ` +
      `Give the column a default or make it optional in schema.prisma (e.g. \`${first.columns[0]} String @default("")\` or \`String?\`) and migrate, or let the app create those rows first. ${outcome}`,
  );
}

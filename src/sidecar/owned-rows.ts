// Which rows of an owned table belong to a user, an organization or a membership: a SQL predicate
// built from the foreign keys, following chains (WorkflowStep → Workflow → Organization).
import { keysOfClerkIds, type EntitySpec } from "../mirror/columns.ts";
import type { IdsByEntity } from "../mirror/columns.ts";
import type { Catalog } from "./catalog.ts";
import { ownerKeys, type Classification } from "./classify.ts";
import { quote } from "./row-codec.ts";

/** Every owner, or only these Clerk ids (the users, organizations and memberships a resync is about to delete). */
export type OwnerScope = "all" | IdsByEntity;

/**
 * `alias`'s row is owned. Rows with no owner (a null organizationId: seeded defaults) belong to
 * the seed. `params` collects the bind values; placeholders continue from its length.
 */
export function ownedWhere(catalog: Catalog, classification: Classification, table: string, alias: string, scope: OwnerScope, params: unknown[], visiting: ReadonlySet<string> = new Set()): string {
  const t = catalog.get(table);
  if (!t) return "false";
  const inner = new Set(visiting).add(table);
  const terms: string[] = [];
  for (const [i, f] of ownerKeys(t, classification.roles).entries()) {
    const cols = f.columns.map((c) => `${alias}.${quote(c)}`);
    const owner = classification.roles.get(f.table);
    if (owner?.role === "mirrored") {
      if (scope === "all") terms.push(cols.map((c) => `${c} IS NOT NULL`).join(" AND "));
      else terms.push(`${cols[0]} IN (${keysOfClerkIds(classification.mirror[owner.entity] as EntitySpec<never>, `${bind(params, scope[owner.entity])}::text[]`, f.references[0])})`);
    } else if (!inner.has(f.table)) {
      const p = `${alias}_${i}`;
      const join = f.columns.map((c, k) => `${p}.${quote(f.references[k]!)} = ${alias}.${quote(c)}`).join(" AND ");
      terms.push(`EXISTS (SELECT 1 FROM ${quote(f.table)} ${p} WHERE ${join} AND (${ownedWhere(catalog, classification, f.table, p, scope, params, inner)}))`);
    }
  }
  return terms.length ? terms.map((x) => `(${x})`).join(" OR ") : "false";
}

function bind(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

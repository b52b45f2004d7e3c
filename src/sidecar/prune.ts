// Before a user, organization or membership is deleted (by a resync or a webhook), every local row
// it owns — in any owned table, found from the schema — and its app columns go to a pruned sidecar.
import type pg from "pg";
import { columnOf, DEFAULT_MIRROR, ident, keysOfClerkIds, type EntitySpec, type IdsByEntity, type Mirror } from "../mirror/columns.ts";
import { writeSidecarFile } from "./files.ts";
import { totalRows } from "./format.ts";
import { readLocalTables } from "./local-tables.ts";
import { readLocalData } from "./read-local-data.ts";

export async function savePrunedLocalData(
  client: pg.Pool | pg.PoolClient,
  ids: IdsByEntity,
  options: { instanceId: string | null; sidecarDir: string; mirror?: Mirror },
): Promise<string | null> {
  if (!ids.users.length && !ids.organizations.length && !ids.memberships.length) return null;
  const mirror = options.mirror ?? DEFAULT_MIRROR;
  const m = mirror.memberships;
  // A membership goes with its user or organization (cascade).
  const parentIn = (field: "userId" | "organizationId", param: string) =>
    `m.${ident(columnOf(m, field)!.column)} IN (${keysOfClerkIds(mirror[field === "userId" ? "users" : "organizations"] as EntitySpec<never>, param)})`;
  const { rows } = await client.query<{ id: string }>(
    `SELECT m.${ident(m.id.column)} AS id FROM ${ident(m.table)} m WHERE m.${ident(m.id.column)} = ANY($1::text[]) OR ${parentIn("organizationId", "$2::text[]")} OR ${parentIn("userId", "$3::text[]")}`,
    [ids.memberships, ids.organizations, ids.users],
  );
  const scope = { organizations: ids.organizations, users: ids.users, memberships: rows.map((r) => r.id) };
  // Classes only narrow what a full backup keeps; owned rows of deleted owners are saved whatever they say.
  const tables = await readLocalTables(client, { tables: {}, mirror });
  const sidecar = await readLocalData(client, tables, { reason: "prune", clerkInstanceId: options.instanceId, scope });
  return totalRows(sidecar) ? writeSidecarFile(sidecar, { dir: options.sidecarDir, prefix: "pruned", outcome: "nothing was deleted" }) : null;
}

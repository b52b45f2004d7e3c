// Before a user, organization or membership is deleted (by a resync or a webhook), every local row
// it owns — in any owned table, found from the schema — and its app columns go to a pruned sidecar.
import type pg from "pg";
import type { MirroredTable } from "../mirror/columns.ts";
import { writeSidecarFile } from "./files.ts";
import { totalRows } from "./format.ts";
import { readLocalTables } from "./local-tables.ts";
import { readLocalData } from "./read-local-data.ts";

export async function savePrunedLocalData(
  client: pg.Pool | pg.PoolClient,
  ids: Readonly<Record<MirroredTable, readonly string[]>>,
  options: { instanceId: string | null; sidecarDir: string },
): Promise<string | null> {
  if (!ids.User.length && !ids.Organization.length && !ids.OrganizationMembership.length) return null;
  // A membership goes with its user or organization (cascade).
  const { rows } = await client.query<{ id: string }>(
    `SELECT id FROM "OrganizationMembership" WHERE id = ANY($1::text[]) OR "organizationId" = ANY($2::text[]) OR "userId" = ANY($3::text[])`,
    [ids.OrganizationMembership, ids.Organization, ids.User],
  );
  const scope = { Organization: ids.Organization, User: ids.User, OrganizationMembership: rows.map((r) => r.id) };
  // Classes only narrow what a full backup keeps; owned rows of deleted owners are saved whatever they say.
  const tables = await readLocalTables(client, {});
  const sidecar = await readLocalData(client, tables, { reason: "prune", clerkInstanceId: options.instanceId, scope });
  return totalRows(sidecar) ? writeSidecarFile(sidecar, { dir: options.sidecarDir, prefix: "pruned", outcome: "nothing was deleted" }) : null;
}

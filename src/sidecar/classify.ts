// Which tables hold local data a reset must carry over, decided from the catalog alone (pure).
// A table that belongs to a user, an organization or a membership — a foreign key to one, directly
// or through a chain of such tables — is the app's own data: its owned rows go into the sidecar.
// The app classifies everything else once (its clerk-resync config: `tables`).
import { DEFAULT_MIRROR, entityOfTable, ownedColumns, type EntityName, type EntitySpec, type Mirror } from "../mirror/columns.ts";
import type { TableClass } from "../define-config.ts";
import type { Catalog, CatalogTable, ForeignKey } from "./catalog.ts";


/** The tool's own bookkeeping: never backed up, never a reason to stop. */
export const TOOL_TABLES: ReadonlySet<string> = new Set(["_prisma_migrations", "ClerkSyncState", "ClerkTombstone", "ClerkWebhookDelivery"]);

export type TableRole =
  /**
   * Clerk's table under the app's mirror: `clerkId` is its Clerk-id column, `appColumns` the ones
   * the app owns (its own key included), backed up by Clerk id.
   */
  | { readonly role: "mirrored"; readonly entity: EntityName; readonly clerkId: string; readonly appColumns: readonly string[] }
  /** Rows reachable from a user, organization or membership: backed up and restored. */
  | { readonly role: "owned" }
  /** Backed up and restored whole. */
  | { readonly role: "keep" }
  /** Recreated by the seed. */
  | { readonly role: "seeded" }
  /** May be lost. */
  | { readonly role: "disposable" }
  | { readonly role: "tool" }
  /** Nobody said: a reset stops if it has rows. */
  | { readonly role: "unclassified" };

/**
 * A foreign key onto a seeded table's serial id: the seed gives its rows new ids, so the backup
 * stores the target's unique key instead and the restore looks the id up after the seed. Every
 * other foreign key keeps its raw value: restored rows keep their ids, so nothing needs translating.
 */
export interface Reference {
  readonly table: string;
  readonly by: readonly string[];
}

/** Tool tables a reset carries into the new database: deletes stay deleted, replays stay duplicates. */
export const CARRIED_TOOL_TABLES = ["ClerkTombstone", "ClerkWebhookDelivery"] as const;

export interface Classification {
  /** Where Clerk's records live (the app's mapping, or today's schema). */
  readonly mirror: Mirror;
  readonly roles: ReadonlyMap<string, TableRole>;
  /** Tables with rows to back up, parents before children (the restore order). */
  readonly order: readonly string[];
  readonly references: ReadonlyMap<string, ReadonlyMap<string, Reference>>;
}

/** Seeded tables too: the kept rows win over the ones the seed makes again, so nothing changes under the app. */
const isBackedUp = (r: TableRole | undefined) => r?.role === "owned" || r?.role === "keep" || r?.role === "seeded";

export function classifyTables(catalog: Catalog, classes: Readonly<Record<string, TableClass>>, mirror: Mirror = DEFAULT_MIRROR): Classification {
  const roles = new Map<string, TableRole>();
  for (const t of catalog.values()) {
    const entity = entityOfTable(mirror, t.name);
    if (TOOL_TABLES.has(t.name)) roles.set(t.name, { role: "tool" });
    else if (entity) roles.set(t.name, { role: "mirrored", entity, clerkId: mirror[entity].id.column, appColumns: appColumns(t, mirror, entity) });
  }
  const isMirrored = (table: string) => roles.get(table)?.role === "mirrored";
  // Ownership spreads along foreign keys until nothing changes (chains of any length, cycles safe).
  const owned = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of catalog.values()) {
      if (roles.has(t.name) || owned.has(t.name)) continue;
      if (t.foreignKeys.some((f) => isMirrored(f.table) || owned.has(f.table))) {
        owned.add(t.name);
        grew = true;
      }
    }
  }
  for (const t of catalog.values()) {
    if (roles.has(t.name)) continue;
    const declared = classes[t.name];
    roles.set(t.name, declared ? { role: declared } : owned.has(t.name) ? { role: "owned" } : { role: "unclassified" });
  }

  const references = new Map<string, Map<string, Reference>>();
  for (const t of catalog.values()) {
    if (!isBackedUp(roles.get(t.name))) continue;
    const refs = new Map<string, Reference>();
    for (const f of t.foreignKeys) {
      const ref = referenceFor(f, catalog, roles);
      if (ref) refs.set(f.columns[0]!, ref);
    }
    references.set(t.name, refs);
  }
  return { mirror, roles, order: restoreOrder(catalog, roles), references };
}

function appColumns(t: CatalogTable, mirror: Mirror, entity: EntityName): string[] {
  const mirrored = new Set(ownedColumns(mirror[entity] as EntitySpec<never>));
  return t.columns.map((c) => c.name).filter((c) => !mirrored.has(c));
}

function referenceFor(f: ForeignKey, catalog: Catalog, roles: ReadonlyMap<string, TableRole>): Reference | undefined {
  const target = catalog.get(f.table);
  if (!target || f.columns.length !== 1 || target.serialId !== f.references[0] || roles.get(f.table)?.role !== "seeded") return undefined;
  const key = target.uniqueKeys.find((k) => k.every((c) => c !== target.serialId));
  return key ? { table: f.table, by: key } : undefined;
}

/** Parents before children. A link to the own table is re-linked within the table; a cycle between tables is broken arbitrarily (its rows whose parent is not yet restored are reported, not guessed). */
function restoreOrder(catalog: Catalog, roles: ReadonlyMap<string, TableRole>): string[] {
  const pending = [...catalog.values()].filter((t) => isBackedUp(roles.get(t.name))).map((t) => t.name).sort();
  const done: string[] = [];
  const placed = new Set<string>();
  while (pending.length) {
    const ready = pending.findIndex((name) =>
      catalog.get(name)!.foreignKeys.every((f) => f.table === name || placed.has(f.table) || !pending.includes(f.table)),
    );
    const [next] = pending.splice(ready === -1 ? 0 : ready, 1);
    done.push(next!);
    placed.add(next!);
  }
  return done;
}

/** Foreign keys of a table that point at a Clerk table or an owned one: the ways a row is owned. */
export function ownerKeys(t: CatalogTable, roles: ReadonlyMap<string, TableRole>): ForeignKey[] {
  return t.foreignKeys.filter((f) => {
    const role = roles.get(f.table)?.role;
    return role === "mirrored" || role === "owned";
  });
}

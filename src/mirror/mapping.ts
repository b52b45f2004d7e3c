// An app's mapping (clerk-resync.config.ts `mirror`) turned into the Mirror the writes, reads and
// plan work from. Each field's SQL type is the registry's; the app says only where it lives.
import type { EntityMapping, MirrorMapping } from "../define-config.ts";
import { ConfigError } from "../errors.ts";
import { DEFAULT_MIRROR, METADATA_FIELDS, UNMAPPED_BY_DEFAULT, type AppKey, type ColumnSpec, type EntityName, type EntitySpec, type MetadataField, type Mirror } from "./columns.ts";

function entity<R>(name: EntityName, base: EntitySpec<R>, mapping: EntityMapping<string> | undefined, refers?: Partial<Record<string, "users" | "organizations">>): EntitySpec<R> {
  if (!mapping) return base;
  const known = new Map<string, ColumnSpec>([...base.compared, ...UNMAPPED_BY_DEFAULT[name]].map((c) => [c.field, c]));
  const compared = mapping.fields
    ? Object.entries(mapping.fields).map(([field, column]): ColumnSpec => {
        const c = known.get(field);
        if (c) return { ...c, column: column! };
        // "publicMetadata.plan": one value out of a metadata field the entity has.
        const [from, ...path] = field.split(".");
        if (path.length && path.every(Boolean) && known.has(from!) && (METADATA_FIELDS as readonly string[]).includes(from!)) {
          return { field, column: column!, type: "jsonb", pick: { from: from as MetadataField, path } };
        }
        throw new ConfigError(
          `mirror.${name}.fields.${field} is not a Clerk field clerk-resync keeps; it keeps ${[...known.keys()].join(", ")}, and single values out of metadata as "publicMetadata.<key>".`,
        );
      })
    : [...base.compared];
  const primaryKey: AppKey | undefined = typeof mapping.primaryKey === "string" ? { column: mapping.primaryKey } : mapping.primaryKey;
  const id = { ...base.id, column: mapping.clerkId ?? base.id.column };
  if (primaryKey && primaryKey.column === id.column) throw new ConfigError(`mirror.${name}: primaryKey and clerkId are both "${id.column}"; leave primaryKey out when the Clerk id is the key.`);
  return {
    table: mapping.table ?? base.table,
    id,
    primaryKey,
    compared: compared.map((c) => (refers?.[c.field] ? { ...c, refers: refers[c.field] } : c)) as unknown as EntitySpec<R>["compared"],
  };
}

export function mirrorFromMapping(mapping: MirrorMapping | undefined): Mirror {
  if (!mapping) return DEFAULT_MIRROR;
  const users = entity("users", DEFAULT_MIRROR.users, mapping.users);
  const organizations = entity("organizations", DEFAULT_MIRROR.organizations, mapping.organizations);
  // A membership's parent columns hold the parent's key: the app's own where it has one.
  const refers: Partial<Record<string, "users" | "organizations">> = {
    ...(users.primaryKey ? { userId: "users" } : {}),
    ...(organizations.primaryKey ? { organizationId: "organizations" } : {}),
  };
  const memberships = entity("memberships", DEFAULT_MIRROR.memberships, mapping.memberships ?? (Object.keys(refers).length ? {} : undefined), refers);
  for (const field of ["userId", "organizationId"] as const) {
    if (!memberships.compared.some((c) => c.field === field)) throw new ConfigError(`mirror.memberships.fields must map ${field}: a membership without it cannot be placed.`);
  }
  return { users, organizations, memberships };
}

// `init`'s guesses: which of the app's models hold Clerk's users, organizations and memberships,
// which column holds each Clerk id, which Clerk field each column is, and what the app must still
// add or decide. Pure: models in, a mapping and its findings out.
import type { EntityMapping, MirrorMapping } from "../define-config.ts";
import type { PrismaField, PrismaModel } from "./prisma-schema.ts";

type Entity = "users" | "organizations" | "memberships";

export interface Guess {
  /** Undefined when the app's models are clerk-resync's own shape (nothing to configure). */
  mapping: MirrorMapping | undefined;
  models: Partial<Record<Entity, string>>;
  /** What was guessed, one line each. */
  guessed: string[];
  /** What could not be guessed or must change before a resync: one line each, naming the edit. */
  todo: string[];
  /** Tables whose rows belong to a user or an organization, and how they point at it. */
  scoped: string[];
  /**
   * Tables a reset must be told to keep: they hold a Clerk id in a plain column, with no foreign
   * key the sidecar could follow (the config's `tables`).
   */
  tables: Record<string, "keep">;
  /** Tables that belong to nobody: a reset refuses while they have rows until the app classifies them. */
  unowned: string[];
}

const MODEL_NAMES: Record<Entity, RegExp> = {
  users: /^(user|users|account|accounts|profile|profiles)$/i,
  organizations: /^(organization|organizations|organisation|organisations|org|orgs|team|teams|workspace|workspaces|company|companies|tenant|tenants)$/i,
  memberships: /^(organization_?membership|membership|memberships|org_?member|team_?member|team_?membership|workspace_?member|member|members)s?$/i,
};

const CLERK_ID_NAMES: Record<Entity, string[]> = {
  users: ["clerkId", "clerkUserId", "clerk_id", "clerk_user_id", "authId"],
  organizations: ["clerkOrgId", "clerkOrganizationId", "clerk_org_id", "clerk_organization_id", "clerkId", "clerk_id", "orgId", "organizationId"],
  memberships: ["clerkMembershipId", "clerk_membership_id", "clerkId", "clerk_id"],
};

/** Clerk fields, each with the names apps give it and the Prisma type it needs. */
const FIELDS: Record<Entity, Record<string, [names: string[], type: string]>> = {
  users: {
    email: [["email", "emailAddress", "email_address", "primaryEmail", "primary_email"], "String"],
    firstName: [["firstName", "first_name", "givenName", "given_name"], "String"],
    lastName: [["lastName", "last_name", "familyName", "family_name"], "String"],
    username: [["username", "userName", "user_name", "handle"], "String"],
    imageUrl: [["imageUrl", "image_url", "avatarUrl", "avatar_url", "profileImageUrl", "image", "avatar"], "String"],
    phoneNumber: [["phoneNumber", "phone_number", "phone"], "String"],
    externalId: [["externalId", "external_id"], "String"],
    publicMetadata: [["publicMetadata", "public_metadata"], "Json"],
    privateMetadata: [["privateMetadata", "private_metadata"], "Json"],
    unsafeMetadata: [["unsafeMetadata", "unsafe_metadata"], "Json"],
    banned: [["banned", "isBanned", "is_banned"], "Boolean"],
    locked: [["locked", "isLocked", "is_locked"], "Boolean"],
    lastSignInAt: [["lastSignInAt", "last_sign_in_at", "lastLoginAt"], "DateTime"],
    createdAt: [["createdAt", "created_at"], "DateTime"],
    updatedAt: [["updatedAt", "updated_at"], "DateTime"],
  },
  organizations: {
    name: [["name", "title"], "String"],
    slug: [["slug", "handle"], "String"],
    imageUrl: [["imageUrl", "image_url", "logoUrl", "logo_url", "logo", "image"], "String"],
    publicMetadata: [["publicMetadata", "public_metadata"], "Json"],
    privateMetadata: [["privateMetadata", "private_metadata"], "Json"],
    maxAllowedMemberships: [["maxAllowedMemberships", "max_allowed_memberships"], "Int"],
    createdBy: [["createdBy", "created_by"], "String"],
    createdAt: [["createdAt", "created_at"], "DateTime"],
    updatedAt: [["updatedAt", "updated_at"], "DateTime"],
  },
  memberships: {
    role: [["role"], "String"],
    permissions: [["permissions"], "String[]"],
    publicMetadata: [["publicMetadata", "public_metadata"], "Json"],
    privateMetadata: [["privateMetadata", "private_metadata"], "Json"],
    createdAt: [["createdAt", "created_at"], "DateTime"],
    updatedAt: [["updatedAt", "updated_at"], "DateTime"],
  },
};

/** Clerk fields a record may lack: a required column for one stops the write of such a record. */
const MAY_BE_EMPTY: Record<Entity, readonly string[]> = {
  users: ["email", "phoneNumber", "firstName", "lastName", "username", "externalId", "lastSignInAt", "privateMetadata"],
  organizations: ["slug", "createdBy", "privateMetadata"],
  memberships: ["privateMetadata"],
};

const PROVENANCE = ["clerkUpdatedAt", "syncSource", "syncedAt"];
const PROVENANCE_PRISMA = "clerkUpdatedAt DateTime? @db.Timestamptz(3), syncSource String?, syncedAt DateTime @default(now()) @db.Timestamptz(3)";
const BOOKKEEPING = ["ClerkSyncState", "ClerkTombstone", "ClerkWebhookDelivery"];
const DEFAULT_MODELS: Record<Entity, string> = { users: "User", organizations: "Organization", memberships: "OrganizationMembership" };

const typeOf = (f: PrismaField) => `${f.type}${f.list ? "[]" : ""}`;
const scalar = (models: PrismaModel[], f: PrismaField) => !models.some((m) => m.name === f.type);

export function guessMapping(models: PrismaModel[]): Guess {
  const guess: Guess = { mapping: undefined, models: {}, guessed: [], todo: [], scoped: [], tables: {}, unowned: [] };
  const found: Partial<Record<Entity, PrismaModel>> = {};
  for (const entity of ["users", "organizations"] as const) {
    const model = models.find((m) => MODEL_NAMES[entity].test(m.name) && clerkIdField(m, entity)) ?? models.find((m) => MODEL_NAMES[entity].test(m.name));
    if (model) found[entity] = model;
  }
  // The join model: relations (or plain id columns) to both the user and the organization models.
  found.memberships = models.find((m) => m !== found.users && m !== found.organizations && parentField(m, found.users, "users") && parentField(m, found.organizations, "organizations") && MODEL_NAMES.memberships.test(m.name))
    ?? models.find((m) => m !== found.users && m !== found.organizations && Boolean(parentField(m, found.users, "users") && parentField(m, found.organizations, "organizations")) && m.fields.some((f) => f.name === "role"));

  const mapping: MirrorMapping = {};
  for (const entity of ["users", "organizations", "memberships"] as const) {
    const model = found[entity];
    if (!model) {
      guess.todo.push(`No model looks like Clerk's ${entity}: name it in mirror.${entity} (table, clerkId, fields), or add one (node_modules/clerk-resync/prisma/schema.prisma shows the default).`);
      continue;
    }
    guess.models[entity] = model.name;
    const result = entityMapping(models, model, entity, found);
    mapping[entity] = result.mapping;
    guess.guessed.push(...result.guessed);
    guess.todo.push(...result.todo);
  }
  for (const name of BOOKKEEPING) {
    if (!models.some((m) => m.name === name)) guess.todo.push(`Add the model ${name} (copy it from node_modules/clerk-resync/prisma/schema.prisma) and migrate: the mirror keeps its ${name === "ClerkTombstone" ? "deletes" : name === "ClerkSyncState" ? "Clerk instance" : "webhook deliveries"} there.`);
  }
  Object.assign(guess, scopedTables(models, found));
  const isDefault = (["users", "organizations", "memberships"] as const).every((e) => found[e]?.name === DEFAULT_MODELS[e] && !mapping[e]?.primaryKey && mapping[e]?.clerkId === "id" && found[e]!.table === found[e]!.name);
  guess.mapping = isDefault && guess.todo.length === 0 ? undefined : mapping;
  return guess;
}

function clerkIdField(model: PrismaModel, entity: Entity): PrismaField | undefined {
  for (const name of CLERK_ID_NAMES[entity]) {
    const f = model.fields.find((x) => x.name === name && x.type === "String" && !x.list);
    if (f) return f;
  }
  // Clerk's id as the primary key: a String id nobody generates; else an app's externalId column.
  return model.fields.find((f) => f.id && f.type === "String" && !f.default) ?? (entity === "users" ? model.fields.find((f) => f.name === "externalId" && f.type === "String" && f.unique) : undefined);
}

/** The scalar field of `model` that points at `parent` (its relation's field, or a plain id column). */
function parentField(model: PrismaModel, parent: PrismaModel | undefined, entity: "users" | "organizations"): PrismaField | undefined {
  if (!parent) return undefined;
  const relation = model.fields.find((f) => f.type === parent.name && f.relationFields?.length === 1);
  return relation ? model.fields.find((f) => f.name === relation.relationFields![0]) : plainIdField(model, entity);
}

/** A String column named as a Clerk user or organization id, with no relation. */
function plainIdField(model: PrismaModel, entity: "users" | "organizations"): PrismaField | undefined {
  const names = entity === "users" ? ["userId", "user_id", "clerkUserId"] : ["organizationId", "organization_id", "orgId", "org_id", "teamId", "team_id", "workspaceId", "clerkOrgId"];
  return model.fields.find((f) => names.includes(f.name) && f.type === "String" && !model.fields.some((r) => r.relationFields?.includes(f.name)));
}

function entityMapping(models: PrismaModel[], model: PrismaModel, entity: Entity, found: Partial<Record<Entity, PrismaModel>>) {
  const guessed: string[] = [];
  const todo: string[] = [];
  const mapping: EntityMapping<string> = { table: model.table };
  const clerkId = clerkIdField(model, entity);
  const pk = model.fields.find((f) => f.id);
  if (!clerkId) todo.push(`${model.name}: no column for the Clerk id. Add one (\`clerkId String @unique\`) and name it in mirror.${entity}.clerkId.`);
  else {
    mapping.clerkId = clerkId.column;
    guessed.push(`${model.name}.${clerkId.name} holds the Clerk ${entity === "users" ? "user" : entity === "organizations" ? "organization" : "membership"} id${clerkId.id ? " (the primary key)" : ""}.`);
    if (!clerkId.id && !clerkId.unique) todo.push(`${model.name}.${clerkId.name} must be unique: add @unique and migrate.`);
    if (clerkId.optional) todo.push(`${model.name}.${clerkId.name} may be null: every mirrored row has a Clerk id (rows the app makes without one are left alone, but make sure that is what you want).`);
  }
  if (pk && clerkId && pk !== clerkId) {
    const generate = pk.default === "cuid()" || pk.default?.startsWith("cuid(") ? "cuid" : pk.default === "uuid()" || pk.default?.startsWith("uuid(") ? "uuid" : undefined;
    mapping.primaryKey = generate ? { column: pk.column, generate } : pk.column;
    guessed.push(`${model.name}.${pk.name} (${pk.type}${pk.default ? `, @default(${pk.default})` : ""}) is the app's own key${generate ? `: clerk-resync makes a ${generate} for each new row, as Prisma Client would` : ""}.`);
    if (!pk.default) todo.push(`${model.name}.${pk.name} has no default: a new Clerk record has no key. Give it @default(autoincrement()), cuid() or uuid().`);
  }
  const fields: Record<string, string> = {};
  const mapped = new Set<PrismaField>([clerkId, pk].filter((f): f is PrismaField => Boolean(f)));
  if (entity === "memberships") {
    for (const parent of ["users", "organizations"] as const) {
      const f = parentField(model, found[parent], parent);
      const field = parent === "users" ? "userId" : "organizationId";
      if (!f) todo.push(`${model.name}: no column points at ${found[parent]?.name ?? parent}; map mirror.memberships.fields.${field}.`);
      else {
        fields[field] = f.column;
        mapped.add(f);
        const key = found[parent] && found[parent]!.fields.find((x) => x.id);
        guessed.push(`${model.name}.${f.name} is the membership's ${parent === "users" ? "user" : "organization"}${key && key !== clerkIdField(found[parent]!, parent) ? ` (holding ${found[parent]!.name}.${key.name}, resolved through its Clerk id)` : ""}.`);
      }
    }
  }
  for (const [field, [names, type]] of Object.entries(FIELDS[entity])) {
    const f = names.map((n) => model.fields.find((x) => x.name === n)).find((x) => x && !mapped.has(x) && typeOf(x) === type);
    if (!f) continue;
    fields[field] = f.column;
    mapped.add(f);
    if (!f.optional && f.default === undefined && MAY_BE_EMPTY[entity].includes(field)) {
      todo.push(`${model.name}.${f.name} is required, but a Clerk ${entity.slice(0, -1)} may have no ${field}${field === "email" ? " (one who signed up with a phone or a username)" : ""}: make it optional (\`${f.type}?\`) and migrate, or keep it required only if every one of yours has it.`);
    }
  }
  mapping.fields = fields;
  guessed.push(`${model.name}: ${Object.entries(fields).map(([k, v]) => (k === v ? k : `${k} → ${v}`)).join(", ")}.`);
  const missing = PROVENANCE.filter((p) => !model.fields.some((f) => f.name === p));
  if (missing.length) todo.push(`${model.name} needs the provenance columns ${missing.join(", ")}: add \`${PROVENANCE_PRISMA}\` (as fields) and migrate.`);
  for (const f of model.fields) {
    if (mapped.has(f) || PROVENANCE.includes(f.name) || f.optional || f.list || f.default !== undefined || f.updatedAt || !scalar(models, f)) continue;
    todo.push(`${model.name}.${f.name} is required with no default: a new Clerk record has no value for it. Give it a default, make it optional, or map it.`);
  }
  return { mapping, guessed, todo };
}

function scopedTables(models: PrismaModel[], found: Partial<Record<Entity, PrismaModel>>): Pick<Guess, "scoped" | "tables" | "unowned"> {
  const scoped: string[] = [];
  const tables: Record<string, "keep"> = {};
  const mirrored = new Set(Object.values(found));
  const candidates = models.filter((m) => !mirrored.has(m) && !BOOKKEEPING.includes(m.name));
  // Owned as the sidecar sees it: a relation to Clerk's models, or to a model that is owned.
  const owned = new Set<PrismaModel>();
  const relatesTo = (m: PrismaModel, to: PrismaModel) => m.fields.some((f) => f.type === to.name && f.relationFields?.length);
  for (let grew = true; grew; ) {
    grew = false;
    for (const m of candidates) {
      if (owned.has(m) || ![...mirrored, ...owned].some((p) => relatesTo(m, p))) continue;
      owned.add(m);
      grew = true;
    }
  }
  for (const m of candidates) {
    for (const parent of ["users", "organizations"] as const) {
      const p = found[parent];
      const relation = p && m.fields.find((f) => f.type === p.name && f.relationFields);
      if (relation) scoped.push(`${m.name} belongs to ${parent === "users" ? "a user" : "an organization"} (${relation.relationFields!.join(", ")} → ${p!.name}).`);
      else {
        const plain = plainIdField(m, parent);
        if (!plain) continue;
        scoped.push(`${m.name}.${plain.name} holds a Clerk ${parent === "users" ? "user" : "organization"} id with no foreign key: ${owned.has(m) ? "kept as it is (the ids never change)" : "the whole table is kept through a reset (`tables` below)"}.`);
        if (!owned.has(m)) tables[m.table] = "keep";
      }
    }
  }
  const unowned = candidates.filter((m) => !owned.has(m) && !tables[m.table]).map((m) => m.table);
  return { scoped, tables, unowned };
}

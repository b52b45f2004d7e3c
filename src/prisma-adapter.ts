// `clerk-resync/prisma`: a PrismaPg adapter factory for prisma.config.ts that makes Prisma's
// engine-less (WASM) mode whole, on PostgreSQL and on the embedded database alike:
// - pg reports PostgreSQL's internal "char" type (OID 18, catalog columns such as relkind) by
//   OID, which the adapter does not map, so every introspection (`migrate dev`, `migrate diff`)
//   stopped with "Column type 'char' could not be deserialized". It is text: it is said so here.
// - PostgreSQL 18's NOT NULL constraints (type 'n') stop Prisma 6's introspection: left out.
// - `migrate dev`'s shadow database: on PGlite, which serves one database whatever name is asked
//   for, a CREATE DATABASE would land on the main one; `clerk-resync prisma` serves a throwaway
//   in-memory PGlite for it (PGlite cannot start inside Prisma's config loader) and names it in
//   CLERK_RESYNC_SHADOW_URL.
import pg from "pg";
import { pgConfigFromUrl, schemaFromUrl } from "./db/pg-config.ts";

const PG_INTERNAL_CHAR = 18;
const PG_TEXT = 25;

class CharAsTextClient extends pg.Client {
  // Both forms: the adapter's transactions await query(); pg-pool's query() passes a callback.
  override query(...args: unknown[]): never {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      args[last] = (err: Error | null, r: pg.QueryResult) => callback(err, err ? r : charAsText(r));
    }
    const result = (pg.Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
    return (result instanceof Promise ? result.then(charAsText) : result) as never;
  }
}

function charAsText(r: pg.QueryResult): pg.QueryResult {
  const fields = r?.fields ?? [];
  const constraintType = fields.findIndex((f) => f.name === "constraint_type" && f.dataTypeID === PG_INTERNAL_CHAR);
  if (constraintType >= 0) withoutNotNullConstraints(r, fields[constraintType]!.name, constraintType);
  for (const field of fields) if (field.dataTypeID === PG_INTERNAL_CHAR) field.dataTypeID = PG_TEXT;
  return r;
}

/**
 * PostgreSQL 18 (PGlite 0.5 is built on it) lists NOT NULL as constraints of type 'n' in
 * pg_constraint. Prisma 6's schema engine knows only the older types and stops on an unknown one
 * ("RuntimeError: unreachable") in every introspection: `migrate dev`, `migrate diff`, `db pull`.
 * It reads nullability from the columns, so those rows carry nothing it needs.
 */
function withoutNotNullConstraints(r: pg.QueryResult, name: string, index: number): void {
  r.rows = r.rows.filter((row: unknown) => (Array.isArray(row) ? row[index] : (row as Record<string, unknown>)[name]) !== "n");
  r.rowCount = r.rows.length;
}

/** Where `clerk-resync prisma` serves the shadow database of an embedded one. */
export const SHADOW_URL_VARIABLE = "CLERK_RESYNC_SHADOW_URL";

/** The adapter factory for `adapter()` in prisma.config.ts; `url` defaults to DATABASE_URL. */
export async function prismaPgAdapter(url = process.env.DATABASE_URL) {
  if (!url) throw new Error("DATABASE_URL is not set: run Prisma through clerk-resync (it starts the embedded database), or set DATABASE_URL in .env");
  const { PrismaPg } = await import("@prisma/adapter-pg");
  // allowExitOnIdle: without it the CLI process lingers for pg's 10 s idle timeout.
  const poolConfig = (target: string) => ({ ...pgConfigFromUrl(target), Client: CharAsTextClient, allowExitOnIdle: true, idleTimeoutMillis: 200 });
  const factory = new PrismaPg(poolConfig(url), { schema: schemaFromUrl(url) });
  const ownShadow = factory.connectToShadowDb.bind(factory);
  factory.connectToShadowDb = async () => {
    if (!(await isEmbedded(url))) return ownShadow();
    const shadowUrl = process.env[SHADOW_URL_VARIABLE];
    if (!shadowUrl) throw new Error("The embedded database has no room for a shadow database: run this through `clerk-resync prisma -- …`, which provides one");
    // It is about to be emptied: never the database itself (a stale variable, a reused port).
    if (new URL(shadowUrl).host === new URL(url).host) throw new Error(`${SHADOW_URL_VARIABLE} names the database itself (${new URL(url).host}), not a throwaway shadow: unset it and run through \`clerk-resync prisma -- …\``);
    // Prisma expects an empty shadow on every connect (migrate dev connects more than once).
    await emptyDatabase(shadowUrl);
    return new PrismaPg(poolConfig(shadowUrl)).connect();
  };
  return factory;
}

async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client(pgConfigFromUrl(url));
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`);
    for (const { name } of rows) await client.query(`DROP SCHEMA "${name.replaceAll('"', '""')}" CASCADE`);
    await client.query("CREATE SCHEMA public");
  } finally {
    await client.end();
  }
}

async function isEmbedded(url: string): Promise<boolean> {
  const client = new pg.Client(pgConfigFromUrl(url));
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string }>("SELECT version()");
    return /PGlite/.test(rows[0]?.version ?? "");
  } finally {
    await client.end();
  }
}

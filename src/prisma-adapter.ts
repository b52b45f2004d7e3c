// `clerk-resync/prisma`: a PrismaPg adapter factory for prisma.config.ts that makes Prisma's
// engine-less (WASM) mode whole, on PostgreSQL and on the embedded database alike:
// - pg reports PostgreSQL's internal "char" type (OID 18, catalog columns such as relkind) by
//   OID, which the adapter does not map, so every introspection (`migrate dev`, `migrate diff`)
//   stopped with "Column type 'char' could not be deserialized". It is text: it is said so here.
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
  for (const field of r?.fields ?? []) if (field.dataTypeID === PG_INTERNAL_CHAR) field.dataTypeID = PG_TEXT;
  return r;
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
    return new PrismaPg(poolConfig(shadowUrl)).connect();
  };
  return factory;
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

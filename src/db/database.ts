import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Config } from "../config.ts";
import { PrismaClient } from "../generated/prisma/client.ts";
import type { Logger } from "../log.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import { pgConfigFromUrl, schemaFromUrl } from "./pg-config.ts";

export type { PrismaClient };

export interface Database {
  /** The URL every consumer uses, the Prisma CLI included. */
  readonly url: string;
  /** For set-based statements (unnest arrays): one round trip per batch. */
  readonly pool: pg.Pool;
  /** Prisma client on the same pool. */
  readonly prisma: PrismaClient;
  readonly embedded: boolean;
  close(): Promise<void>;
}

/**
 * The one place that turns config into database clients. With DATABASE_URL set it is used;
 * without it an embedded PGlite database (data in .data/pglite) is started on a free loopback
 * port, so every command works with zero setup.
 */
/** `embeddedPort`: where to serve the embedded database (default: any free port). */
export async function openDatabase(config: Pick<Config, "databaseUrl" | "pgliteDir">, log: Logger, options: { embeddedPort?: number } = {}): Promise<Database> {
  if (config.databaseUrl) return connectDatabase(config.databaseUrl, false);
  const embedded = await startEmbeddedPostgres(config.pgliteDir, options.embeddedPort);
  log.info({ dataDir: config.pgliteDir }, "DATABASE_URL not set: using the embedded PGlite database");
  try {
    const db = await connectDatabase(embedded.url, true);
    return {
      ...db,
      async close() {
        await db.close();
        await embedded.stop();
      },
    };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}

export async function connectDatabase(url: string, embedded: boolean): Promise<Database> {
  const pool = new pg.Pool({ ...pgConfigFromUrl(url), max: embedded ? 4 : 8 });
  // An idle client's error (server restarted) must not crash the process.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { schema: schemaFromUrl(url) }) });
  return {
    url,
    pool,
    prisma,
    embedded,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

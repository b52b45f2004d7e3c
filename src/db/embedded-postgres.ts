import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * PGlite's own start parameters, with shared buffers of 32 MB instead of Postgres's 128 MB:
 * setting those up is most of what a start costs (~850 → ~620 ms here), and a development
 * database's working set fits. Passed at each start, so the data folder is not changed.
 */
export const EMBEDDED_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"];

export interface EmbeddedPostgres {
  /** postgresql:// URL of the loopback socket; give it to pg, Prisma and the Prisma CLI. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (Postgres compiled to WASM) and serves it over a loopback socket on a free port,
 * so Prisma, pg and the Prisma CLI child process all talk to it like to any Postgres.
 * `dataDir` undefined = in memory (tests); `port` 0 = any free port.
 */
export async function startEmbeddedPostgres(dataDir?: string, port = 0): Promise<EmbeddedPostgres> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), startParams: EMBEDDED_START_PARAMS });
  // Several connections: Prisma's migrate and client each open more than one. The server
  // serialises queries and keeps a transaction's queries on its own connection.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: 32 });
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres`;
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

import pg from "pg";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { checkMapping } from "../mirror/check-mapping.ts";
import { DEFAULT_MIRROR, type Mirror } from "../mirror/columns.ts";
import { translateDatabaseError } from "./connection-errors.ts";
import { claimDataDir } from "./embedded-lock.ts";
import { finishFolderSwitch } from "./folder-switch.ts";
import { pgConfigFromUrl, sessionName } from "./pg-config.ts";

export interface Database {
  /** The URL every consumer uses, the Prisma CLI included. */
  readonly url: string;
  /** For set-based statements (unnest arrays): one round trip per batch. */
  readonly pool: pg.Pool;
  readonly embedded: boolean;
  /** Served by PGlite: every connection shares one backend session, so concurrent work must be serialized. */
  readonly pglite: boolean;
  /** The embedded data folder when this process opened it (it holds the folder lock). */
  readonly folder?: EmbeddedFolder;
  close(): Promise<void>;
}

export interface EmbeddedFolder {
  readonly dir: string;
  /** Stops the embedded server but keeps the folder lock, so the folder can be switched. */
  stopServer(): Promise<void>;
}

export interface OpenOptions {
  /** Names this process in lock files and refusals, e.g. `db:reset`. */
  command: string;
  /** Wait for a process holding the embedded data folder instead of refusing. */
  wait?: boolean;
  /** `pnpm dev`: serve the embedded database to others (never go through another server). */
  serve?: boolean;
  /** The command reads clerk-resync's tables: refuse a database never migrated. */
  needsSchema?: boolean;
  /** Where to serve the embedded database (default: any free port); `pnpm dev` keeps it stable. */
  embeddedPort?: number;
}

/**
 * The one place that turns config into database clients. With DATABASE_URL set it is used;
 * without it the embedded PGlite database (data in .data/pglite) is started on a free loopback
 * port, so every command works with zero setup — unless `pnpm dev` already serves that folder:
 * then its server is used, since two processes must never open one PGlite folder. The first
 * query is made here, so an unreachable, missing or unmigrated database is one clear line
 * before anything is written.
 */
export async function openDatabase(config: Pick<Config, "databaseUrl" | "pgliteDir"> & { mirror?: Mirror }, log: Logger, options: OpenOptions): Promise<Database> {
  // An app's own mapping is checked against the tables with the schema (clerk-resync's own tables are the migrations').
  const mapping = options.needsSchema && config.mirror !== DEFAULT_MIRROR ? config.mirror : undefined;
  if (config.databaseUrl) return probed(await connectDatabase(config.databaseUrl, false), options, mapping);
  const access = await claimDataDir(config.pgliteDir, { command: options.command, serve: options.serve, wait: options.wait, log });
  if (access.kind === "served") return probed(await connectDatabase(access.url, true), options, mapping);
  let stopEmbedded = async () => access.lock.release();
  try {
    // A switch a killed reset left half-done is finished before anyone opens the folder.
    finishFolderSwitch(config.pgliteDir, log);
    // Loaded only here: PGlite's import alone costs ~0.1 s of every command's start-up.
    const { startEmbeddedPostgres } = await import("./embedded-postgres.ts");
    const embedded = await startEmbeddedPostgres(config.pgliteDir, options.embeddedPort);
    let serverStopped = false;
    let db: Database | undefined;
    const stopServer = async () => {
      if (serverStopped) return;
      serverStopped = true;
      await db?.close();
      await embedded.stop();
    };
    stopEmbedded = async () => {
      await stopServer();
      access.lock.release();
    };
    if (options.serve) access.lock.update({ url: embedded.url });
    log.info({ dataDir: config.pgliteDir }, "DATABASE_URL not set: using the embedded PGlite database");
    db = await probed(await connectDatabase(embedded.url, true), options, mapping);
    return { ...db, folder: { dir: config.pgliteDir, stopServer }, close: stopEmbedded };
  } catch (err) {
    await stopEmbedded();
    throw err;
  }
}

/** Runs the first query (and checks the app's `mapping`, if any); failures the user can fix come back as one line saying how. */
async function probed(opened: Database, options: OpenOptions, mapping: Mirror | undefined): Promise<Database> {
  let db = opened;
  try {
    const { rows: version } = await db.pool.query<{ v: string }>("SELECT version() AS v");
    // A DATABASE_URL may point at a PGlite server (another `pnpm dev`, a test): same caution then.
    if (version[0]?.v.includes("PGlite") && !db.pglite) {
      oneClientAtATime(db.pool);
      db = { ...db, pglite: true };
    }
    if (options.needsSchema) {
      const { rows } = await db.pool.query<{ t: string | null }>(`SELECT to_regclass('"ClerkSyncState"')::text AS t`);
      if (!rows[0]?.t) throw Object.assign(new Error('relation "ClerkSyncState" does not exist'), { code: "42P01" });
    }
    if (mapping) await checkMapping(db.pool, mapping);
    return db;
  } catch (err) {
    await db.close();
    throw translateDatabaseError(err, db.url, db.embedded, "; nothing was changed");
  }
}

/**
 * `pool.query` through a client checked out and back in here. pg-pool's own query() hands its
 * callback to the client it creates for it, and that client keeps the callback, and with it the
 * whole result (the mirror's read: hundreds of MB at scale), for as long as the client lives.
 */
function queryWithoutRetention(pool: pg.Pool): void {
  const viaPool = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = (async (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof values === "function" || typeof callback === "function") return viaPool(config, values, callback);
    const client = await pool.connect();
    try {
      const result = await client.query(config as pg.QueryConfig, values as unknown[] | undefined);
      client.release();
      return result;
    } catch (err) {
      // As pg-pool does: a client that failed a query is not reused.
      client.release(err as Error);
      throw err;
    }
  }) as typeof pool.query;
}

/**
 * One client checked out at a time (pool.query checks one out too, see queryWithoutRetention).
 * PGlite serves every connection from one session and takes their protocol messages one by one:
 * a query one connection sends while another's is half-way (its Bind done, its Execute not yet),
 * or a transaction another connection begins meanwhile, takes over the session's unnamed
 * statement and portal (`portal "" does not exist`, or a wrong answer).
 */
function oneClientAtATime(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  let last: Promise<void> = Promise.resolve();
  const checkOut = async (): Promise<pg.PoolClient> => {
    let free!: () => void;
    const turn = last;
    last = new Promise<void>((resolve) => (free = resolve));
    await turn;
    let client: pg.PoolClient;
    try {
      client = await connect();
    } catch (err) {
      free();
      throw err;
    }
    // pg-pool gives each checkout its own release; the next client goes out once this one is back.
    const release = client.release.bind(client);
    client.release = ((err?: Error | boolean) => {
      free();
      return release(err);
    }) as typeof client.release;
    return client;
  };
  pool.connect = ((callback?: (err: Error | undefined, client?: pg.PoolClient, done?: pg.PoolClient["release"]) => void) => {
    if (!callback) return checkOut();
    checkOut().then(
      (client) => callback(undefined, client, client.release),
      (err: Error) => callback(err),
    );
    return undefined;
  }) as typeof pool.connect;
}

export async function connectDatabase(url: string, embedded: boolean): Promise<Database> {
  const config = pgConfigFromUrl(url);
  const pool = new pg.Pool({ application_name: sessionName("pool"), ...config, max: embedded ? 4 : 8 });
  queryWithoutRetention(pool);
  if (embedded) oneClientAtATime(pool);
  // A connection lost mid-query (server restart) rejects that query; with no listener on the
  // checked-out client, pg would also throw its 'error' out of the process.
  pool.on("connect", (client) => client.on("error", () => {}));
  // An idle client's error (server restarted) must not crash the process.
  pool.on("error", () => {});
  return {
    url,
    pool,
    embedded,
    pglite: embedded,
    async close() {
      if (pool.ended) return;
      await pool.end();
    },
  };
}

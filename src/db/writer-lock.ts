import os from "node:os";
import path from "node:path";
import pg from "pg";
import { BusyError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { describeHolder } from "./embedded-lock.ts";
import { tryLockFile, type LockHolder } from "./lock-file.ts";
import { pgConfigFromUrl } from "./pg-config.ts";
import { pollUntil } from "./wait.ts";

/** The advisory lock key ("clrk", "rsyc"): one per database, as advisory locks are. */
const KEY: [number, number] = [0x636c726b, 0x72737963];
// PostgreSQL keeps 63 bytes of application_name: short enough for every command, the watcher's included.
const TAG = /^clerk-resync (.+) pid=(\d+) at=(\d+)$/;

export interface WriterLockOptions {
  /** The command taking the lock, e.g. `db:reset`; the refusal names it to the next one. */
  command: string;
  /** Wait for the holder to finish instead of refusing. */
  wait?: boolean;
  log: Logger;
}

export type ReleaseWriterLock = () => Promise<void>;

function busy(holder: string): BusyError {
  return new BusyError(`another sync or reset is running (${holder}); wait for it or pass --wait`);
}

/**
 * One writer at a time per database (db:reset, db:reset:force, clerk:resync): a second one would
 * write into a schema the first is dropping. On PostgreSQL a session-level advisory lock on a
 * connection of its own, held for the whole command: it survives `prisma migrate reset` (no table)
 * and goes with the process whatever kills it. Its holder is found by the connection's
 * application_name. PGlite served on a socket shares one session among all connections, so an
 * advisory lock excludes nothing there: a lock file keyed by the server's address stands in.
 */
export async function acquireWriterLock(db: { url: string }, options: WriterLockOptions): Promise<ReleaseWriterLock> {
  const client = new pg.Client({ ...pgConfigFromUrl(db.url), application_name: `clerk-resync ${options.command} pid=${process.pid} at=${Math.floor(Date.now() / 1000)}` });
  client.on("error", () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT version() AS v");
    if (rows[0]?.v.includes("PGlite")) {
      await client.end();
      return fileWriterLock(db.url, options);
    }
    const got = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", KEY);
    if (!got.rows[0]?.ok) {
      const holder = await describeAdvisoryHolder(client);
      if (!options.wait) throw busy(holder);
      options.log.info(`waiting for the other sync or reset to finish (${holder})…`);
      await client.query("SELECT pg_advisory_lock($1, $2)", KEY);
    }
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  return async () => {
    await client.query("SELECT pg_advisory_unlock($1, $2)", KEY).catch(() => {});
    await client.end().catch(() => {});
  };
}

/** Runs `fn` holding the writer lock; released however `fn` ends. */
export async function withWriterLock<T>(db: { url: string }, options: WriterLockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireWriterLock(db, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

async function describeAdvisoryHolder(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ pid: number; application_name: string | null }>(
    `SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    KEY,
  );
  const row = rows[0];
  if (!row) return "it has just finished; try again";
  const tag = TAG.exec(row.application_name ?? "");
  return tag ? `${tag[1]}, pid ${tag[2]}, started ${new Date(Number(tag[3]) * 1000).toISOString().replace(/\.\d+Z$/, "Z")}` : `database session ${row.pid}`;
}

/** The lock file for a PGlite server, by address, in the temp folder every local process shares. */
export function writerLockFile(url: string): string {
  const u = new URL(url);
  return path.join(os.tmpdir(), `clerk-resync-writer-${u.hostname.replace(/[^\w.-]/g, "_")}-${u.port || 5432}.lock`);
}

async function fileWriterLock(url: string, options: WriterLockOptions): Promise<ReleaseWriterLock> {
  const file = writerLockFile(url);
  let holder: LockHolder | undefined;
  const lock = await pollUntil(
    async () => {
      const got = tryLockFile(file, options.command);
      if (got.acquired) return got.lock;
      holder = got.holder;
      if (!options.wait) throw busy(describeHolder(holder));
      return undefined;
    },
    () => options.log.info(`waiting for the other sync or reset to finish (${holder ? describeHolder(holder) : "?"})…`),
  );
  return async () => lock.release();
}

import pg from "pg";
import { startEmbeddedPostgres } from "../src/db/embedded-postgres.ts";
import { pgConfigFromUrl } from "../src/db/pg-config.ts";
import { runPrismaCliOrThrow } from "../src/db/prisma-cli.ts";

/** In a scenario process: the database named by the environment (PGlite data dir, or a URL). */
export async function startEmulatedPostgresIfNeeded(): Promise<{ url: string; embedded: boolean; stop(): Promise<void> }> {
  const dir = process.env.BENCH_PGLITE_DIR;
  if (dir) {
    const e = await startEmbeddedPostgres(dir);
    return { url: e.url, embedded: true, stop: () => e.stop() };
  }
  return { url: process.env.BENCH_DATABASE_URL!, embedded: false, stop: async () => {} };
}

/** A fresh, migrated PostgreSQL database next to the admin URL's. */
export async function freshPostgresDatabase(adminUrl: string, name: string, root: string): Promise<string> {
  const admin = new pg.Client(pgConfigFromUrl(adminUrl));
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: u.toString(), cwd: root });
  return u.toString();
}

/** A fresh, migrated PGlite data folder. */
export async function freshPgliteDir(dir: string, root: string): Promise<void> {
  const e = await startEmbeddedPostgres(dir);
  try {
    await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: e.url, cwd: root });
  } finally {
    await e.stop();
  }
}

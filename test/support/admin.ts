import pg from "pg";
import { pgConfigFromUrl } from "../../src/db/pg-config.ts";
import { runPrismaCliOrThrow } from "../../src/db/prisma-cli.ts";

/**
 * Drops (if present) and creates database `name` on the server of `adminUrl`, migrated with the
 * real `prisma migrate deploy`; returns its URL. For tests and benchmarks on a real PostgreSQL.
 */
export async function recreateMigratedDatabase(adminUrl: string, name: string, rootDir: string): Promise<string> {
  const url = await createEmptyDatabase(adminUrl, name);
  await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: url, cwd: rootDir });
  return url;
}

/** Drops (if present) and creates the empty database `name` on the server of `adminUrl`; returns its URL. */
export async function createEmptyDatabase(adminUrl: string, name: string): Promise<string> {
  await dropDatabase(adminUrl, name);
  const admin = new pg.Client(pgConfigFromUrl(adminUrl));
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops database `name` (sessions still on it are closed). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client(pgConfigFromUrl(adminUrl));
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

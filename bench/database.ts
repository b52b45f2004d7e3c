import { connectDatabase, type Database } from "../src/db/database.ts";
import { runPrismaCliOrThrow } from "../src/db/prisma-cli.ts";
import { recreateMigratedDatabase } from "../test/support/admin.ts";

/**
 * PGlite is loaded only where it is used, as the CLI does (src/db/database.ts): its WASM adds
 * ~40 MB to a process, which would otherwise count in the peak RSS of every PostgreSQL scenario.
 */
async function startEmbeddedPostgres(dir?: string) {
  const embedded = await import("../src/db/embedded-postgres.ts");
  return embedded.startEmbeddedPostgres(dir);
}

/** In a scenario process: the database named by the environment (PGlite data dir, or a URL). */
export async function openBenchDatabase(): Promise<{ url: string; embedded: boolean; stop(): Promise<void> }> {
  const dir = process.env.BENCH_PGLITE_DIR;
  if (dir) {
    const e = await startEmbeddedPostgres(dir);
    return { url: e.url, embedded: true, stop: () => e.stop() };
  }
  return { url: process.env.BENCH_DATABASE_URL!, embedded: false, stop: async () => {} };
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

/**
 * `measure` on a fresh migrated PostgreSQL database (BENCH_DATABASE_URL or TEST_DATABASE_URL,
 * admin rights; skipped with a note without one), then on an in-memory PGlite.
 */
export async function onEachBenchDatabase<T>(name: string, root: string, measure: (kind: "postgres" | "pglite", db: Database) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const db = await connectDatabase(await recreateMigratedDatabase(adminUrl, name, root), false);
    try {
      results.push(await measure("postgres", db));
    } finally {
      await db.close();
    }
  } else process.stderr.write("PostgreSQL skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL)\n");
  const embedded = await startEmbeddedPostgres();
  try {
    await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: embedded.url, cwd: root });
    const db = await connectDatabase(embedded.url, true);
    try {
      results.push(await measure("pglite", db));
    } finally {
      await db.close();
    }
  } finally {
    await embedded.stop();
  }
  return results;
}

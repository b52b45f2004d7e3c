import { startEmbeddedPostgres } from "../src/db/embedded-postgres.ts";
import { runPrismaCliOrThrow } from "../src/db/prisma-cli.ts";

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

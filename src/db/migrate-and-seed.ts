import type { Database } from "./database.ts";
import { runPrismaCliOrThrow } from "./prisma-cli.ts";

/** The app's seed, the way `prisma migrate reset` runs it: whatever prisma.config.ts (or package.json "prisma.seed") names. */
export async function runAppSeed(db: Database, rootDir: string, options: { args?: readonly string[]; inherit?: boolean; forwardSignals?: boolean } = {}): Promise<void> {
  const args = options.args?.length ? ["--", ...options.args] : [];
  await runPrismaCliOrThrow(["db", "seed", ...args], { databaseUrl: db.url, cwd: rootDir, inherit: options.inherit, forwardSignals: options.forwardSignals });
}

/** What a database needs before its first sync: `prisma migrate deploy`, then the app's seed. */
export async function migrateAndSeed(db: Database, rootDir: string, options: { forwardSignals?: boolean } = {}): Promise<void> {
  await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: db.url, cwd: rootDir, forwardSignals: options.forwardSignals });
  await runAppSeed(db, rootDir, { forwardSignals: options.forwardSignals });
}

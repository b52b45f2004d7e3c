import type { Database } from "./database.ts";
import { prismaMajorVersion, runPrismaCliOrThrow } from "./prisma-cli.ts";

type Target = Pick<Database, "url">;

/** The app's seed, the way `prisma migrate reset` runs it: whatever prisma.config.ts (or package.json "prisma.seed") names. */
export async function runAppSeed(db: Target, rootDir: string, options: { args?: readonly string[]; inherit?: boolean; forwardSignals?: boolean } = {}): Promise<void> {
  const args = options.args?.length ? ["--", ...options.args] : [];
  await runPrismaCliOrThrow(["db", "seed", ...args], { databaseUrl: db.url, cwd: rootDir, inherit: options.inherit, forwardSignals: options.forwardSignals });
}

/**
 * An empty database made ready for its first sync: `prisma migrate deploy`, then the app's seed.
 * On an empty database that is what `migrate reset --force` does, on Prisma 6 and 7 alike (7 no
 * longer seeds on reset, and refuses --force in some settings).
 */
export async function migrateAndSeed(db: Target, rootDir: string, options: { forwardSignals?: boolean } = {}): Promise<void> {
  await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: db.url, cwd: rootDir, forwardSignals: options.forwardSignals });
  await runAppSeed(db, rootDir, { forwardSignals: options.forwardSignals });
}

/**
 * `prisma migrate reset --force` and the app's seed, on either Prisma major: 6 seeds itself (and
 * generates unless told not to); 7 does neither and no longer knows --skip-generate.
 */
export async function migrateResetAndSeed(db: Target, rootDir: string): Promise<void> {
  const major = prismaMajorVersion(rootDir);
  await runPrismaCliOrThrow(["migrate", "reset", "--force", ...(major < 7 ? ["--skip-generate"] : [])], { databaseUrl: db.url, cwd: rootDir });
  if (major >= 7) await runAppSeed(db, rootDir);
}

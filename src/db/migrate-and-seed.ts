import type { Database } from "./database.ts";
import { prismaMajorVersion, runPrismaCliOrThrow } from "./prisma-cli.ts";

type Target = Pick<Database, "url">;

/** The app's seed, as `prisma db seed` runs it: whatever prisma.config.ts (or package.json "prisma.seed") names. */
export async function runAppSeed(db: Target, rootDir: string, options: { args?: readonly string[]; inherit?: boolean; forwardSignals?: boolean; nextStep?: string } = {}): Promise<void> {
  const args = options.args?.length ? ["--", ...options.args] : [];
  await runPrismaCliOrThrow(["db", "seed", ...args], { databaseUrl: db.url, cwd: rootDir, inherit: options.inherit, forwardSignals: options.forwardSignals, nextStep: options.nextStep });
}

/**
 * Pending migrations applied (`prisma migrate deploy`), then the app's seed (idempotent, as seeds
 * must be). On an empty database, as a reset builds, that is what `migrate reset --force` does, on
 * Prisma 6 and 7 alike (7 no longer seeds on reset, and refuses --force in some settings).
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
  if (major >= 7) await runAppSeed(db, rootDir, { nextStep: "fix the seed, then run `clerk-resync seed` (the database is reset and migrated, not seeded)" });
}

import type { Database } from "./database.ts";
import { runPrismaCliOrThrow } from "./prisma-cli.ts";
import { seedDefaults, type SeedCounts } from "./seed-defaults.ts";

/** What a database needs before its first sync: `prisma migrate deploy`, then the default prompts, resources and MCP servers. */
export async function migrateAndSeed(db: Database, rootDir: string, options: { forwardSignals?: boolean } = {}): Promise<SeedCounts> {
  await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: db.url, cwd: rootDir, forwardSignals: options.forwardSignals });
  return seedDefaults(db.prisma);
}

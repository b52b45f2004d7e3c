import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { connectDatabase, type Database } from "../../src/db/database.ts";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres.ts";
import { runPrismaCliOrThrow } from "../../src/db/prisma-cli.ts";
import { pgConfigFromUrl } from "../../src/db/pg-config.ts";
import { dropDatabase } from "./admin.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/**
 * The template database scripts/run-tests.ts migrates once per run on a real PostgreSQL. Named per
 * run: two runs on one server (two worktrees, CI and a developer) must not drop each other's.
 */
export const TEMPLATE_DB = process.env.CLERK_RESYNC_TEST_TEMPLATE ?? "clerk_resync_test_template";

export interface TestDatabase {
  readonly kind: "postgres" | "pglite";
  readonly url: string;
  readonly db: Database;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test. With TEST_DATABASE_URL (a real PostgreSQL server) it
 * clones the migrated template (`CREATE DATABASE … TEMPLATE …`: fast and isolated); otherwise it
 * starts an in-memory PGlite served on a loopback socket and migrates it.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `clerk_resync_test_${randomBytes(5).toString("hex")}`;
    const admin = new pg.Client(pgConfigFromUrl(adminUrl));
    await admin.connect();
    try {
      await admin.query(options.empty ? `CREATE DATABASE "${name}"` : `CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
    } finally {
      await admin.end();
    }
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    const db = await connectDatabase(u.toString(), false);
    return {
      kind: "postgres",
      url: u.toString(),
      db,
      async close() {
        await db.close();
        await dropDatabase(adminUrl, name);
      },
    };
  }
  const embedded = await startEmbeddedPostgres();
  const db = await connectDatabase(embedded.url, true);
  // The real `prisma migrate deploy`, so the database is exactly what the CLI makes (its
  // _prisma_migrations table included).
  if (!options.empty) await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: embedded.url, cwd: ROOT });
  return {
    kind: "pglite",
    url: embedded.url,
    db,
    async close() {
      await db.close();
      await embedded.stop();
    },
  };
}

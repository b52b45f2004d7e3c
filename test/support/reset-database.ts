// A database a reset can switch, as a user has it: on PostgreSQL a cloned test database (the
// reset builds a schema beside public); on PGlite an embedded data folder this process opens
// itself (the reset builds a sibling folder). `open()` gives the live database, reopened after a
// switch; `release()` lets a CLI child open the folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig, type Config } from "../../src/config.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { runPrismaCliOrThrow } from "../../src/db/prisma-cli.ts";
import { silentLogger } from "../../src/log.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "./database.ts";

export interface ResetDatabase {
  readonly kind: "postgres" | "pglite";
  /** The environment a CLI child needs to reach it. */
  readonly env: Record<string, string>;
  /** Config for in-process commands (rootDir, sidecar folder and the Clerk emulator are the caller's). */
  config(overrides: Partial<Config>): Config;
  open(): Promise<Database>;
  release(): Promise<void>;
  close(): Promise<void>;
}

/** `empty`: not cloned from clerk-resync's own schema, only the migrations of `rootDir` (an app of another shape). */
export async function createResetDatabase(options: { rootDir?: string; empty?: boolean } = {}): Promise<ResetDatabase> {
  if (process.env.TEST_DATABASE_URL) {
    const t: TestDatabase = await createTestDatabase({ empty: options.empty });
    if (options.rootDir) await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: t.url, cwd: options.rootDir });
    return {
      kind: "postgres",
      env: { DATABASE_URL: t.url },
      config: (o) => ({ ...loadConfig({}, ROOT), databaseUrl: t.url, ...o }),
      open: async () => t.db,
      release: async () => {},
      close: () => t.close(),
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "clerk-resync-embedded-"));
  const pgliteDir = path.join(dir, "pglite");
  const base = { ...loadConfig({}, ROOT), databaseUrl: undefined, pgliteDir };
  let db: Database | undefined;
  const open = async () => {
    if (db && !db.pool.ended) return db;
    // After a switch the old handle's server is stopped, but it still holds the folder lock.
    await db?.close();
    db = await openDatabase(base, silentLogger, { command: "test" });
    return db;
  };
  const first = await open();
  await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: first.url, cwd: options.rootDir ?? ROOT });
  const release = async () => {
    await db?.close();
    db = undefined;
  };
  return {
    kind: "pglite",
    env: { CLERK_RESYNC_PGLITE_DIR: pgliteDir },
    config: (o) => ({ ...base, ...o }),
    open,
    release,
    async close() {
      await release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

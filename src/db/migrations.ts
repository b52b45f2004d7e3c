import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type pg from "pg";

/**
 * Applies the committed migration SQL directly, in order. Only for throwaway databases (tests,
 * benchmarks) where spawning the Prisma CLI per database would dominate; the SQL is exactly what
 * `prisma migrate deploy` runs.
 */
export async function applyMigrationSql(pool: pg.Pool, rootDir: string): Promise<void> {
  const dir = path.join(rootDir, "prisma", "migrations");
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const name of names) {
    await pool.query(readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
  }
}

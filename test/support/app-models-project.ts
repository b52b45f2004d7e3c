// examples/next-app (or a fixture app) as a project of its own for in-process tests: a copy (its
// schema, migration, seed and prisma.config.ts; node_modules linked), so `prisma migrate deploy`
// and the seed run in it as in the adopter's app.
import { cpSync, existsSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "./database.ts";

export const NEXT_APP = path.join(ROOT, "examples/next-app");
export const APP_MODELS_SCHEMA = path.join(NEXT_APP, "prisma/schema.prisma");
export const APP_MODELS_MIGRATION = path.join(NEXT_APP, "prisma/migrations/20260101000000_init/migration.sql");

/** A copy of examples/next-app outside the repository (its own root: package.json, prisma/, config). */
export const copyNextApp = (): string => copyProject(NEXT_APP);

/** test/fixtures/uuid-app: uuid account keys, Clerk-id keyed organizations, values picked out of metadata. */
export const UUID_APP = path.join(ROOT, "test/fixtures/uuid-app");

/** A copy of an app folder outside the repository, on its own node_modules (a fixture: the next-app example's, with prisma and clerk-resync linked). */
export function copyProject(dir: string): string {
  const app = path.join(mkdtempSync(path.join(tmpdir(), `clerk-resync-${path.basename(dir)}-`)), path.basename(dir));
  const skip = new Set(["node_modules", ".data", "generated", "backups"]);
  cpSync(dir, app, { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
  const modules = path.join(dir, "node_modules");
  symlinkSync(existsSync(modules) ? modules : path.join(NEXT_APP, "node_modules"), path.join(app, "node_modules"));
  return app;
}

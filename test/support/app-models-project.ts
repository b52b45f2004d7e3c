// examples/next-app as a project of its own for in-process tests: a copy of the example (its
// schema, migration, seed and prisma.config.ts; node_modules linked), so `prisma migrate deploy`
// and the seed run in it as in the adopter's app.
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "./database.ts";

export const NEXT_APP = path.join(ROOT, "examples/next-app");
export const APP_MODELS_SCHEMA = path.join(NEXT_APP, "prisma/schema.prisma");
export const APP_MODELS_MIGRATION = path.join(NEXT_APP, "prisma/migrations/20260101000000_init/migration.sql");

/** A copy of examples/next-app outside the repository (its own root: package.json, prisma/, config). */
export function copyNextApp(): string {
  const app = path.join(mkdtempSync(path.join(tmpdir(), "clerk-resync-next-app-")), "next-app");
  const skip = new Set(["node_modules", ".data", "generated", "backups"]);
  cpSync(NEXT_APP, app, { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
  symlinkSync(path.join(NEXT_APP, "node_modules"), path.join(app, "node_modules"));
  return app;
}

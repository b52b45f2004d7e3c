// A copy of this project whose schema grew (test/fixtures/grown-schema): its own migrations
// folder, package.json and clerk-resync.config.ts, the rest linked, so `prisma migrate deploy` and the seed run as in an app.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "./database.ts";

export function createGrownProject(tables: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "clerk-resync-grown-"));
  for (const name of ["node_modules", "src", "scripts", "examples"]) symlinkSync(path.join(ROOT, name), path.join(dir, name));
  // The suite's schema (the seed app's, which prisma.config.ts names), as this copy's own prisma/.
  writeFileSync(path.join(dir, "prisma.config.ts"), readFileSync(path.join(ROOT, "prisma.config.ts"), "utf8").replaceAll("examples/seed-app/prisma", "prisma"));
  cpSync(path.join(ROOT, "examples/seed-app/prisma"), path.join(dir, "prisma"), { recursive: true, filter: (src) => !src.includes(`${path.sep}backups`) });
  const migration = path.join(dir, "prisma/migrations/29990101000000_grown");
  mkdirSync(migration);
  copyFileSync(path.join(ROOT, "test/fixtures/grown-schema/migration.sql"), path.join(migration, "migration.sql"));
  // Configured as an adopter would: clerk-resync.config.ts, the package.json key taken out.
  const { clerkResync: _, ...pkg } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  const defineConfig = path.join(ROOT, "src/define-config.ts");
  writeFileSync(path.join(dir, "clerk-resync.config.ts"), `import { defineConfig } from ${JSON.stringify(defineConfig)};\n\nexport default defineConfig({ tables: ${JSON.stringify(tables)} });\n`);
  return dir;
}

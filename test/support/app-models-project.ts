// The app of test/fixtures/init/int-and-cuid-keys.prisma as a project of its own: its schema, its
// one migration (test/fixtures/app-models/migration.sql), a seed that makes nothing Clerk holds,
// and the clerk-resync config `init` writes for it. `prisma migrate deploy` and the seed run in it
// as in the adopter's app; clerk-resync's sources and node_modules are linked.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "./database.ts";

export const APP_MODELS_MIGRATION = path.join(ROOT, "test/fixtures/app-models/migration.sql");

export function createAppModelsProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "clerk-resync-app-models-"));
  for (const name of ["node_modules", "src"]) symlinkSync(path.join(ROOT, name), path.join(dir, name));
  const migration = path.join(dir, "prisma/migrations/20260101000000_init");
  mkdirSync(migration, { recursive: true });
  copyFileSync(APP_MODELS_MIGRATION, path.join(migration, "migration.sql"));
  writeFileSync(path.join(dir, "prisma/migrations/migration_lock.toml"), 'provider = "postgresql"\n');
  copyFileSync(path.join(ROOT, "test/fixtures/init/int-and-cuid-keys.prisma"), path.join(dir, "prisma/schema.prisma"));
  // The app's seed: a note every new database starts with (org data keyed by a plain orgId).
  writeFileSync(path.join(dir, "seed.mjs"), SEED);
  const prismaConfig = readFileSync(path.join(ROOT, "prisma.config.ts"), "utf8").replace(/seed: "[^"]*"/, 'seed: "node seed.mjs"');
  writeFileSync(path.join(dir, "prisma.config.ts"), prismaConfig);
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "app-models", private: true, type: "module" }, null, 2));
  return dir;
}

// The app's seed: a note every new database starts with (org data keyed by a plain orgId), in the
// schema that `?schema=` names, as a seed must write it.
const SEED = `import pg from "pg";
const u = new URL(process.env.DATABASE_URL);
const schema = u.searchParams.get("schema");
u.searchParams.delete("schema");
const c = new pg.Client({ connectionString: u.toString(), options: schema ? \`-c search_path=\${schema}\` : undefined });
await c.connect();
await c.query(\`INSERT INTO "Note" ("orgId", body) SELECT 'all', 'welcome' WHERE NOT EXISTS (SELECT 1 FROM "Note" WHERE "orgId" = 'all')\`);
await c.end();
`;

// Prisma CLI config of this repository's demo and tests: they run the app clerk-resync started
// from (examples/seed-app: the mirror's models and migrations from prisma/, plus its org-local
// tables), whose org-local data the reset must carry over. prisma/ itself is the package's default
// mirror schema, for adopters to copy. Native engines cannot be downloaded here, so the CLI runs
// its WASM engines through the pg driver adapter. clerk-resync's commands set DATABASE_URL for the CLI (pointing
// it at the embedded PGlite when no database is configured), so the CLI and the tool always see
// the same database; a plain `pnpm prisma …` reads it from .env.local / .env like the tool does.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";
import { loadEnvFiles } from "./src/env-files.ts";
import { prismaPgAdapter } from "./src/prisma-adapter.ts";

loadEnvFiles(path.dirname(fileURLToPath(import.meta.url)));
// The schema's env("DATABASE_URL") must resolve even for `prisma generate`, which connects
// nowhere: unresolved, the CLI falls back to downloading a native engine.
const PLACEHOLDER_URL = "postgresql://127.0.0.1/clerk-resync-placeholder";
process.env.DATABASE_URL ||= PLACEHOLDER_URL;

export default defineConfig({
  schema: "examples/seed-app/prisma/schema.prisma",
  migrations: {
    path: "examples/seed-app/prisma/migrations",
    // `node --import tsx`, not `tsx`: the seed must run even when node_modules/.bin is not on PATH.
    seed: "node --import tsx examples/seed-app/prisma/seed.ts",
  },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url || url === PLACEHOLDER_URL) {
      throw new Error(
        "DATABASE_URL is not set. Run the pnpm db:* scripts (they start the embedded database), or set DATABASE_URL in .env.",
      );
    }
    // What an adopter writes too (`clerk-resync/prisma`): introspection and migrate dev's shadow database work.
    return prismaPgAdapter(url);
  },
});

// Prisma CLI config. Native engines cannot be downloaded here, so the CLI runs its WASM engines
// through the pg driver adapter. clerk-resync's commands set DATABASE_URL for the CLI (pointing
// it at the embedded PGlite when no database is configured), so the CLI and the tool always see
// the same database.
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { pgConfigFromUrl } from "./src/db/pg-config.ts";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
    // `node --import tsx`, not `tsx`: the seed must run even when node_modules/.bin is not on PATH.
    seed: "node --import tsx src/cli.ts seed --quiet",
  },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new Error(
        "DATABASE_URL is not set. Run the pnpm db:* scripts (they start the embedded database), or set DATABASE_URL in .env.",
      );
    }
    // allowExitOnIdle: without it the CLI process lingers for pg's 10 s idle timeout.
    return new PrismaPg({ ...pgConfigFromUrl(url), allowExitOnIdle: true, idleTimeoutMillis: 200 });
  },
});

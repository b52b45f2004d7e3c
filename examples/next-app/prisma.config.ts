// Prisma's CLI for the next-app example. `engine: "js"` and the adapter run Prisma's WASM engines
// through pg, for machines that cannot download Prisma's native engines (like the one this example
// is tested on); elsewhere both lines may go. clerk-resync's commands set DATABASE_URL for the CLI.
import { defineConfig } from "prisma/config";
import { prismaPgAdapter } from "clerk-resync/prisma";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
    seed: "node --import tsx prisma/seed.ts",
  },
  experimental: { adapter: true },
  engine: "js",
  adapter: () => prismaPgAdapter(),
});

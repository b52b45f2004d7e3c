// This repository's seed (prisma.config.ts names it; `prisma migrate reset` and `clerk-resync seed`
// run it): default prompts, resources and MCP servers, idempotent. `--prompts-only` skips servers.
import { connectDatabase } from "../src/db/database.ts";
import { seedDefaults } from "../src/db/seed-defaults.ts";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is not set: run the seed through `clerk-resync seed` or `prisma db seed`");
const db = await connectDatabase(url, false);
try {
  const counts = await seedDefaults(db, { promptsOnly: process.argv.includes("--prompts-only") });
  if (!process.argv.includes("--quiet")) {
    process.stdout.write(`Seeded ${counts.prompts} default prompts, ${counts.resources} resources, ${counts.mcpServers} MCP servers.\n`);
  }
} finally {
  await db.close();
}

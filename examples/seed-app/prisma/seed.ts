// The seed app's seed: `prisma db seed` runs it (prisma.config.ts names it), and so do
// `clerk-resync seed` and the reset, on the database they name. `--prompts-only` skips servers.
import pg from "pg";
import { seedDefaults } from "./seed-defaults.ts";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is not set: run the seed through `clerk-resync seed` or `prisma db seed`");
// The reset builds beside the live data, in the schema that `?schema=` names. pg does not read it
// from the URL: the seed passes it on, or it would write into the live schema.
const parsed = new URL(url);
const schema = parsed.searchParams.get("schema") ?? undefined;
parsed.searchParams.delete("schema");
const pool = new pg.Pool({ connectionString: parsed.toString(), max: 1 });
try {
  const counts = await seedDefaults({ pool }, { promptsOnly: process.argv.includes("--prompts-only"), schema });
  if (!process.argv.includes("--quiet")) {
    process.stdout.write(`Seeded ${counts.prompts} default prompts, ${counts.resources} resources, ${counts.mcpServers} MCP servers.\n`);
  }
} finally {
  await pool.end();
}

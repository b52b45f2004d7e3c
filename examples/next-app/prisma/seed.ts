// The app's seed: what every new database starts with and Clerk does not hold (a welcome note for
// every organization). Idempotent, as seeds must be; `prisma db seed`, `clerk-resync seed` and the
// reset run it on the database they name.
import pg from "pg";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is not set: run the seed through `clerk-resync seed` or `prisma db seed`");
// The reset builds beside the live data, in the schema that `?schema=` names; pg does not read it
// from the URL, so the seed passes it on (or it would write into the live schema).
const parsed = new URL(url);
const schema = parsed.searchParams.get("schema");
parsed.searchParams.delete("schema");
const client = new pg.Client({ connectionString: parsed.toString(), options: schema ? `-c search_path=${schema}` : undefined });
await client.connect();
try {
  await client.query(`INSERT INTO "Note" ("orgId", body) SELECT 'all', 'Welcome!' WHERE NOT EXISTS (SELECT 1 FROM "Note" WHERE "orgId" = 'all')`);
} finally {
  await client.end();
}

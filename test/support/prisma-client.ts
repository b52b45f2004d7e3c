// The seed app's Prisma client (examples/seed-app, the schema the suite migrates: `pnpm install`
// generates it), on a Database's pool, for tests that write its org-local data as the app would.
import type { PrismaClient } from "../../examples/seed-app/generated/prisma/client.ts";
import type { Database } from "../../src/db/database.ts";
import { schemaFromUrl } from "../../src/db/pg-config.ts";

export type { PrismaClient };

const clients = new WeakMap<Database, Promise<PrismaClient>>();

export function prismaClient(db: Database): Promise<PrismaClient> {
  let client = clients.get(db);
  if (!client) {
    client = (async () => {
      const [{ PrismaClient }, { PrismaPg }] = await Promise.all([import("../../examples/seed-app/generated/prisma/client.ts"), import("@prisma/adapter-pg")]);
      return new PrismaClient({ adapter: new PrismaPg(db.pool, { schema: schemaFromUrl(db.url) }) });
    })();
    clients.set(db, client);
  }
  return client;
}

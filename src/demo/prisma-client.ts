// The Prisma client of this repository's own schema (the demo app's seed and sample data), on a
// Database's pool. Loaded on first use: the generated client costs start-up time that the
// mirror's commands, which speak SQL, never need.
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Database } from "../db/database.ts";
import { schemaFromUrl } from "../db/pg-config.ts";

export type { PrismaClient };

const clients = new WeakMap<Database, Promise<PrismaClient>>();

export function prismaClient(db: Database): Promise<PrismaClient> {
  let client = clients.get(db);
  if (!client) {
    client = (async () => {
      const [{ PrismaClient }, { PrismaPg }] = await Promise.all([import("../generated/prisma/client.ts"), import("@prisma/adapter-pg")]);
      return new PrismaClient({ adapter: new PrismaPg(db.pool, { schema: schemaFromUrl(db.url) }) });
    })();
    clients.set(db, client);
  }
  return client;
}

import { openDatabase } from "../db/database.ts";
import { runAppSeed } from "../db/migrate-and-seed.ts";
import { EXIT } from "../errors.ts";
import { defineCommand } from "./context.ts";

/** The app's own seed, as Prisma runs it (`prisma db seed`), against the configured or embedded database. */
export const seedCommand = defineCommand({
  spec: {
    flags: {},
    passThrough: { name: "ARGS", description: "Handed to the app's seed, e.g. `-- --prompts-only`" },
    example: "clerk-resync seed",
  },
  async run(ctx, { rest }) {
    const db = await openDatabase(ctx.config, ctx.log, { command: "db:seed", needsSchema: true });
    try {
      await runAppSeed(db, ctx.config.rootDir, { args: rest, inherit: !ctx.out.json });
      ctx.out.result({ seeded: true });
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});

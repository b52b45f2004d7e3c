import { openDatabase } from "../db/database.ts";
import { runPrismaCliOrThrow } from "../db/prisma-cli.ts";
import { EXIT } from "../errors.ts";
import { defineCommand } from "./context.ts";

export const migrateCommand = defineCommand({
  spec: {
    flags: {},
    example: "clerk-resync migrate",
  },
  async run(ctx) {
    const db = await openDatabase(ctx.config, ctx.log, { command: "db:migrate" });
    try {
      await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: db.url, cwd: ctx.config.rootDir, inherit: !ctx.out.json });
      ctx.out.result({ migrated: true });
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});

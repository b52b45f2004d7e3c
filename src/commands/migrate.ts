import { openDatabase } from "../db/database.ts";
import { runPrismaCliOrThrow } from "../db/prisma-cli.ts";
import { EXIT } from "../errors.ts";
import type { Command } from "./context.ts";

export const migrateCommand: Command = {
  summary: "Apply pending migrations (prisma migrate deploy) to the configured or embedded database",
  usage: "db:migrate",
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
};

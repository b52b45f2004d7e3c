import { openDatabase } from "../db/database.ts";
import { runPrismaCliOrThrow } from "../db/prisma-cli.ts";
import { EXIT } from "../errors.ts";
import { assertResettable } from "../reset/local-database.ts";
import { defineCommand } from "./context.ts";

export const resetForceCommand = defineCommand({
  spec: {
    script: "pnpm db:reset:force",
    summary: "Raw prisma migrate reset (re-seeds defaults): no backup, no resync — loses users and org-local data",
    flags: { yes: { type: "boolean", description: "Do not ask; also needed for a database on another host or named like prod/staging" } },
    example: "pnpm db:reset:force --yes",
  },
  async run(ctx, { values }) {
    const db = await openDatabase(ctx.config, ctx.log);
    try {
      assertResettable(db, values.yes);
      ctx.log.warn("db:reset:force wipes users, organizations, memberships and org-local data with no backup; `pnpm db:reset` keeps them");
      await runPrismaCliOrThrow(["migrate", "reset", "--force", "--skip-generate"], { databaseUrl: db.url, cwd: ctx.config.rootDir });
      ctx.out.result({ reset: true, backup: null, resynced: false });
      ctx.out.line("Database reset and re-seeded with defaults. Users, organizations and memberships are empty: run `pnpm clerk:resync` to bring them back from Clerk.");
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});

import { openDatabase } from "../db/database.ts";
import { runPrismaCliOrThrow } from "../db/prisma-cli.ts";
import { EXIT, SafetyError } from "../errors.ts";
import { askYesNo, canAsk } from "../prompt.ts";
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
      // Like `prisma migrate reset`: a person confirms; a script says --yes.
      if (!values.yes) {
        const what = "db:reset:force wipes users, organizations, memberships and org-local data with no backup";
        if (!canAsk()) throw new SafetyError(`${what}; pass --yes to confirm (no terminal to ask on). \`pnpm db:reset\` keeps them.`);
        if (!(await askYesNo(`${what} (\`pnpm db:reset\` keeps them). Reset ${db.embedded ? "the embedded database" : "it"}?`))) {
          ctx.out.line("Nothing was reset.");
          return EXIT.failure;
        }
      }
      if (values.yes) ctx.log.warn("db:reset:force wipes users, organizations, memberships and org-local data with no backup; `pnpm db:reset` keeps them");
      await runPrismaCliOrThrow(["migrate", "reset", "--force", "--skip-generate"], { databaseUrl: db.url, cwd: ctx.config.rootDir });
      ctx.out.result({ reset: true, backup: null, resynced: false });
      ctx.out.line("Database reset and re-seeded with defaults. Users, organizations and memberships are empty: run `pnpm clerk:resync` to bring them back from Clerk.");
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});

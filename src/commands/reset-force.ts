import { openDatabase } from "../db/database.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { migrateResetAndSeed } from "../db/migrate-and-seed.ts";
import { EXIT, SafetyError } from "../errors.ts";
import { askYesNo, canAsk } from "../prompt.ts";
import { assertResettable } from "../reset/local-database.ts";
import { defineCommand } from "./context.ts";

export const resetForceCommand = defineCommand({
  spec: {
    flags: {
      yes: { type: "boolean", description: "Do not ask; also needed for a database on another host or named like prod/staging" },
      wait: { type: "boolean", description: "Wait for another process using the database instead of refusing" },
    },
    example: "clerk-resync reset-force --yes",
  },
  async run(ctx, { values }) {
    if (ctx.config.databaseUrl) assertResettable({ embedded: false, url: ctx.config.databaseUrl }, values.yes);
    const db = await openDatabase(ctx.config, ctx.log, { command: "db:reset:force", wait: values.wait });
    let release = async () => {};
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
      release = await acquireWriterLock(db, { command: "db:reset:force", wait: values.wait, log: ctx.log });
      if (values.yes) ctx.log.warn("db:reset:force wipes users, organizations, memberships and org-local data with no backup; `pnpm db:reset` keeps them");
      await migrateResetAndSeed(db, ctx.config.rootDir);
      ctx.out.result({ reset: true, backup: null, resynced: false });
      ctx.out.line("Database reset and re-seeded with defaults. Users, organizations and memberships are empty: run `pnpm clerk:resync` to bring them back from Clerk.");
      return EXIT.ok;
    } finally {
      await release();
      await db.close();
    }
  },
});

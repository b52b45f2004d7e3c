import { parseArgs } from "node:util";
import { openDatabase } from "../db/database.ts";
import { acquireWriterLock } from "../db/writer-lock.ts";
import { runPrismaCliOrThrow } from "../db/prisma-cli.ts";
import { EXIT } from "../errors.ts";
import { assertResettable } from "../reset/local-database.ts";
import type { Command } from "./context.ts";

export const resetForceCommand: Command = {
  summary: "Raw prisma migrate reset (re-seeds defaults): no backup, no resync — loses users and org-local data",
  usage: "db:reset:force [--yes] [--wait]",
  async run(ctx, args) {
    const { values } = parseArgs({ args, options: { yes: { type: "boolean", default: false }, wait: { type: "boolean", default: false } } });
    if (ctx.config.databaseUrl) assertResettable({ embedded: false, url: ctx.config.databaseUrl }, values.yes);
    const db = await openDatabase(ctx.config, ctx.log, { command: "db:reset:force", wait: values.wait });
    let release = async () => {};
    try {
      assertResettable(db, values.yes);
      release = await acquireWriterLock(db, { command: "db:reset:force", wait: values.wait, log: ctx.log });
      ctx.log.warn("db:reset:force wipes users, organizations, memberships and org-local data with no backup; `pnpm db:reset` keeps them");
      await runPrismaCliOrThrow(["migrate", "reset", "--force", "--skip-generate"], { databaseUrl: db.url, cwd: ctx.config.rootDir });
      ctx.out.result({ reset: true, backup: null, resynced: false });
      ctx.out.line("Database reset and re-seeded with defaults. Users, organizations and memberships are empty: run `pnpm clerk:resync` to bring them back from Clerk.");
      return EXIT.ok;
    } finally {
      await release();
      await db.close();
    }
  },
};

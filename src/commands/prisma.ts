import { openDatabase } from "../db/database.ts";
import { runPrismaCli, runPrismaCliOrThrow } from "../db/prisma-cli.ts";
import { UsageError } from "../errors.ts";
import { SHADOW_URL_VARIABLE } from "../prisma-adapter.ts";
import { defineCommand } from "./context.ts";

/** The app's Prisma CLI on the configured or embedded database: what `prisma …` alone cannot reach. */
export const prismaCommand = defineCommand({
  spec: {
    flags: {},
    passThrough: { name: "ARGS", description: "The Prisma CLI's arguments, e.g. `-- migrate dev --name add_plan`" },
    example: "clerk-resync prisma -- migrate dev --name add_plan",
  },
  async run(ctx, { rest }) {
    if (rest.length === 0) throw new UsageError("say what Prisma should run after --, e.g. `clerk-resync prisma -- migrate dev --name add_plan`");
    const db = await openDatabase(ctx.config, ctx.log, { command: `prisma ${rest[0]}` });
    // PGlite holds one database: `migrate dev` gets a throwaway in-memory one as its shadow.
    const shadow = db.embedded ? await (await import("../db/embedded-postgres.ts")).startEmbeddedPostgres() : undefined;
    try {
      const env = shadow ? { [SHADOW_URL_VARIABLE]: shadow.url } : {};
      // Prisma 6's WASM schema engine loses its shadow database once `migrate dev` has applied a
      // pending migration ("PostgreSQL shadow DB must be provided through an external factory"):
      // applied beforehand, there is nothing left for it to apply.
      if (rest[0] === "migrate" && rest[1] === "dev") {
        await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: db.url, cwd: ctx.config.rootDir, env });
      }
      const { code } = await runPrismaCli(rest, { databaseUrl: db.url, cwd: ctx.config.rootDir, inherit: true, env });
      return code;
    } finally {
      await shadow?.stop();
      await db.close();
    }
  },
});

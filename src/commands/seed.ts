import { parseArgs } from "node:util";
import { openDatabase } from "../db/database.ts";
import { seedDefaults } from "../db/seed-defaults.ts";
import { EXIT } from "../errors.ts";
import type { Command } from "./context.ts";

export const seedCommand: Command = {
  summary: "Seed default prompts, resources and MCP servers (idempotent); --prompts-only skips servers",
  usage: "db:seed [--prompts-only]",
  async run(ctx, args) {
    const { values } = parseArgs({ args, options: { "prompts-only": { type: "boolean" }, quiet: { type: "boolean" } } });
    const db = await openDatabase(ctx.config, ctx.log, { command: "db:seed", needsSchema: true });
    try {
      const counts = await seedDefaults(db.prisma, { promptsOnly: values["prompts-only"] });
      ctx.out.result({ seeded: counts });
      if (!values.quiet) {
        ctx.out.line(`Seeded ${counts.prompts} default prompts, ${counts.resources} resources, ${counts.mcpServers} MCP servers.`);
      }
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
};

import { openDatabase } from "../db/database.ts";
import { seedDefaults } from "../db/seed-defaults.ts";
import { EXIT } from "../errors.ts";
import { defineCommand } from "./context.ts";

export const seedCommand = defineCommand({
  spec: {
    script: "pnpm db:seed",
    summary: "Seed default prompts, resources and MCP servers (idempotent); --prompts-only skips servers",
    flags: {
      "prompts-only": { type: "boolean", description: "Seed prompts and resources, not MCP servers (pnpm db:seed:prompts)" },
      quiet: { type: "boolean", description: "Print nothing on success (prisma migrate reset's seed hook)" },
    },
    example: "pnpm db:seed",
  },
  async run(ctx, { values }) {
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
});

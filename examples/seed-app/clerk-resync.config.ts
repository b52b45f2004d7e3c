// What clerk-resync cannot tell from the schema alone. Prompts, resources and service enablements
// belong to organizations (foreign keys), so they are carried over without an entry; the MCP
// server catalog belongs to no one and the seed recreates it.
import { defineConfig } from "clerk-resync/config";

export default defineConfig({
  tables: { McpServer: "seeded" },
});

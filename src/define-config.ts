// `clerk-resync/config`: what an app's clerk-resync.config.ts imports. Types and an identity
// function only, so loading the config costs nothing beyond the file itself.

/** How the app classifies a table that is neither Clerk's nor owned by a user or organization. */
export type TableClass = "seeded" | "keep" | "disposable";

export interface ClerkResyncConfig {
  /**
   * Tables a reset cannot place on its own. "seeded": the seed recreates it; "keep": backed up and
   * restored whole; "disposable": may be lost. Tables owned by a user or organization (a foreign
   * key leads to one) need no entry.
   */
  tables?: Record<string, TableClass>;
}

/** Types the app's configuration: `export default defineConfig({ tables: { McpServer: "seeded" } })`. */
export function defineConfig(config: ClerkResyncConfig): ClerkResyncConfig {
  return config;
}

// The seed app's defaults, re-seeded after every reset: prompts, resources and MCP servers every
// organization sees. Plain SQL on the app's pg pool, so the seed needs no generated client.
import type pg from "pg";

/** Defaults every organization sees (organizationId null). Re-seeded after every reset. */
export const DEFAULT_PROMPTS = [
  { name: "summarize", description: "Summarize a document", content: "Summarize the following text in five bullet points:\n\n{{input}}" },
  { name: "explain-code", description: "Explain a code snippet", content: "Explain what this code does, step by step:\n\n{{input}}" },
  { name: "draft-reply", description: "Draft a reply to a message", content: "Draft a short, friendly reply to:\n\n{{input}}" },
] as const;

export const DEFAULT_RESOURCES = [
  { uri: "docs://getting-started", name: "Getting started", mimeType: "text/markdown", content: "# Getting started\nWelcome." },
  { uri: "docs://faq", name: "FAQ", mimeType: "text/markdown", content: "# FAQ\nAsk us anything." },
] as const;

export const DEFAULT_MCP_SERVERS = [
  { name: "filesystem", description: "Read and write files in a sandbox", url: "stdio://mcp-filesystem", defaultConfig: { root: "/srv/data" } },
  { name: "github", description: "Issues and pull requests", url: "https://mcp.example.invalid/github", defaultConfig: { scopes: ["repo:read"] } },
  { name: "postgres", description: "Read-only SQL", url: "stdio://mcp-postgres", defaultConfig: { readOnly: true } },
] as const;

export interface SeedCounts {
  prompts: number;
  resources: number;
  mcpServers: number;
}

/**
 * Idempotent: safe to run twice, and it never touches org-local rows. Defaults are matched by
 * natural key (name / uri with a null organization, server name), so a rerun updates in place.
 * Postgres treats NULLs as distinct in unique indexes, hence find-then-write for the defaults.
 * `schema`: where to write (the `?schema=` of the URL the seed was given); default: the search_path.
 */
export async function seedDefaults(db: { pool: pg.Pool }, options: { promptsOnly?: boolean; schema?: string } = {}): Promise<SeedCounts> {
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    // Inside the transaction, before any write: every statement below lands in this schema.
    if (options.schema) await client.query(`SET LOCAL search_path TO "${options.schema.replaceAll('"', '""')}"`);
    for (const p of DEFAULT_PROMPTS) {
      const updated = await client.query(
        `UPDATE "Prompt" SET description = $2, content = $3, "updatedAt" = now() WHERE "organizationId" IS NULL AND name = $1`,
        [p.name, p.description, p.content],
      );
      if (!updated.rowCount) await client.query(`INSERT INTO "Prompt" (name, description, content) VALUES ($1, $2, $3)`, [p.name, p.description, p.content]);
    }
    for (const r of DEFAULT_RESOURCES) {
      const updated = await client.query(
        `UPDATE "Resource" SET name = $2, "mimeType" = $3, content = $4, "updatedAt" = now() WHERE "organizationId" IS NULL AND uri = $1`,
        [r.uri, r.name, r.mimeType, r.content],
      );
      if (!updated.rowCount) await client.query(`INSERT INTO "Resource" (uri, name, "mimeType", content) VALUES ($1, $2, $3, $4)`, [r.uri, r.name, r.mimeType, r.content]);
    }
    if (!options.promptsOnly) {
      for (const s of DEFAULT_MCP_SERVERS) {
        await client.query(
          `INSERT INTO "McpServer" (name, description, url, "defaultConfig") VALUES ($1, $2, $3, $4)
           ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, url = EXCLUDED.url, "defaultConfig" = EXCLUDED."defaultConfig", "updatedAt" = now()`,
          [s.name, s.description, s.url, JSON.stringify(s.defaultConfig)],
        );
      }
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return { prompts: DEFAULT_PROMPTS.length, resources: DEFAULT_RESOURCES.length, mcpServers: options.promptsOnly ? 0 : DEFAULT_MCP_SERVERS.length };
}

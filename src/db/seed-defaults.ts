import type { Database } from "./database.ts";
import { prismaClient } from "./prisma-client.ts";

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
 */
export async function seedDefaults(db: Database, options: { promptsOnly?: boolean } = {}): Promise<SeedCounts> {
  const prisma = await prismaClient(db);
  return prisma.$transaction(async (tx) => {
    for (const p of DEFAULT_PROMPTS) {
      const existing = await tx.prompt.findFirst({ where: { organizationId: null, name: p.name }, select: { id: true } });
      if (existing) await tx.prompt.update({ where: { id: existing.id }, data: p });
      else await tx.prompt.create({ data: p });
    }
    for (const r of DEFAULT_RESOURCES) {
      const existing = await tx.resource.findFirst({ where: { organizationId: null, uri: r.uri }, select: { id: true } });
      if (existing) await tx.resource.update({ where: { id: existing.id }, data: r });
      else await tx.resource.create({ data: r });
    }
    if (!options.promptsOnly) {
      for (const s of DEFAULT_MCP_SERVERS) {
        const data = { ...s, defaultConfig: s.defaultConfig as object };
        await tx.mcpServer.upsert({ where: { name: s.name }, create: data, update: data });
      }
    }
    return {
      prompts: DEFAULT_PROMPTS.length,
      resources: DEFAULT_RESOURCES.length,
      mcpServers: options.promptsOnly ? 0 : DEFAULT_MCP_SERVERS.length,
    };
  });
}

// Version 1 files (prompts, resources and services per organization) still restore: they are read
// with their own schema and turned into version 2 tables.
import { z } from "zod";
import type { Json, Sidecar } from "./format.ts";

const json: z.ZodType<Json> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));

export const version1Schema = z.object({
  format: z.literal("clerk-resync-sidecar"),
  version: z.literal(1),
  createdAt: z.string().datetime(),
  clerkInstanceId: z.string().nullable(),
  reason: z.enum(["backup", "reset", "prune", "team"]),
  strippedSecrets: z.array(z.string()),
  organizations: z.array(
    z.object({
      id: z.string().regex(/^org_\w+$/, "is not a Clerk organization id"),
      name: z.string().nullable(),
      prompts: z.array(z.object({ name: z.string().min(1), description: z.string().nullable(), content: z.string() })),
      resources: z.array(
        z.object({ uri: z.string().min(1), name: z.string(), description: z.string().nullable(), mimeType: z.string().nullable(), content: z.string().nullable() }),
      ),
      services: z.array(z.object({ mcpServer: z.string().min(1), enabled: z.boolean(), config: z.record(z.string(), json) })),
    }),
  ),
});

export function upgradeVersion1(v1: z.infer<typeof version1Schema>): Sidecar {
  const orgs = v1.organizations;
  return {
    format: "clerk-resync-sidecar",
    version: 2,
    createdAt: v1.createdAt,
    clerkInstanceId: v1.clerkInstanceId,
    reason: v1.reason,
    strippedSecrets: v1.strippedSecrets,
    tables: {
      Prompt: {
        role: "owned",
        columns: { organizationId: "text", name: "text", description: "text", content: "text" },
        references: {},
        rows: orgs.flatMap((o) => o.prompts.map((p) => ({ organizationId: o.id, ...p }))),
      },
      Resource: {
        role: "owned",
        columns: { organizationId: "text", uri: "text", name: "text", description: "text", mimeType: "text", content: "text" },
        references: {},
        rows: orgs.flatMap((o) => o.resources.map((r) => ({ organizationId: o.id, ...r }))),
      },
      OrganizationService: {
        role: "owned",
        columns: { organizationId: "text", mcpServerId: "integer", enabled: "boolean", config: "jsonb" },
        references: { mcpServerId: { table: "McpServer", by: ["name"] } },
        rows: orgs.flatMap((o) => o.services.map((s) => ({ organizationId: o.id, mcpServerId: { name: s.mcpServer }, enabled: s.enabled, config: s.config }))),
      },
    },
  };
}

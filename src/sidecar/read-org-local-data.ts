import type { PrismaClient } from "../generated/prisma/client.ts";
import { SIDECAR_FORMAT, SIDECAR_VERSION, type Sidecar, type SidecarOrganization } from "./format.ts";
import { redactSecrets } from "../redact.ts";
import { stripSecrets } from "./secrets.ts";

/** A Clerk secret key pasted into a prompt or resource must not end up in a file either. */
function scrub(text: string, where: string, stripped: string[]): string {
  const clean = redactSecrets(text);
  if (clean !== text) stripped.push(where);
  return clean;
}

/**
 * Reads org-local data (custom prompts, custom resources, service enablements) into a sidecar.
 * Only organizations that have some; `organizationIds` narrows it (e.g. orgs about to be pruned).
 */
export async function readOrgLocalData(
  prisma: PrismaClient,
  options: { reason: Sidecar["reason"]; clerkInstanceId: string | null; organizationIds?: readonly string[]; now?: Date },
): Promise<Sidecar> {
  const where = options.organizationIds ? { id: { in: [...options.organizationIds] } } : {};
  const orgs = await prisma.organization.findMany({
    where: { ...where, OR: [{ prompts: { some: {} } }, { resources: { some: {} } }, { services: { some: {} } }] },
    orderBy: { id: "asc" },
    select: {
      id: true,
      name: true,
      prompts: { orderBy: { name: "asc" }, select: { name: true, description: true, content: true } },
      resources: { orderBy: { uri: "asc" }, select: { uri: true, name: true, description: true, mimeType: true, content: true } },
      services: { orderBy: { mcpServer: { name: "asc" } }, select: { enabled: true, config: true, mcpServer: { select: { name: true } } } },
    },
  });
  const strippedSecrets: string[] = [];
  const organizations: SidecarOrganization[] = orgs.map((o) => ({
    id: o.id,
    name: o.name,
    prompts: o.prompts.map((p) => ({ ...p, content: scrub(p.content, `${o.id}.prompt:${p.name}`, strippedSecrets) })),
    resources: o.resources.map((r) => ({ ...r, content: r.content === null ? null : scrub(r.content, `${o.id}.resource:${r.uri}`, strippedSecrets) })),
    services: o.services.map((s) => ({
      mcpServer: s.mcpServer.name,
      enabled: s.enabled,
      config: stripSecrets((s.config ?? {}) as Record<string, unknown>, `${o.id}.${s.mcpServer.name}`, strippedSecrets),
    })),
  }));
  return {
    format: SIDECAR_FORMAT,
    version: SIDECAR_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    clerkInstanceId: options.clerkInstanceId,
    reason: options.reason,
    strippedSecrets,
    organizations,
  };
}

export function countEntries(sidecar: Sidecar): { organizations: number; prompts: number; resources: number; services: number } {
  return {
    organizations: sidecar.organizations.length,
    prompts: sidecar.organizations.reduce((n, o) => n + o.prompts.length, 0),
    resources: sidecar.organizations.reduce((n, o) => n + o.resources.length, 0),
    services: sidecar.organizations.reduce((n, o) => n + o.services.length, 0),
  };
}

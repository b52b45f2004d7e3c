import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Sidecar } from "./format.ts";

export interface Counts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface RestoreReport {
  organizationsRestored: number;
  /** Orgs named in the file that the database does not have: reported, kept in the file. */
  missingOrganizations: string[];
  /** Service entries naming an MCP server that is not seeded. */
  unknownServers: { organizationId: string; mcpServer: string }[];
  prompts: Counts;
  resources: Counts;
  services: Counts;
}

const zero = (): Counts => ({ created: 0, updated: 0, unchanged: 0 });
/** jsonb does not keep key order: compare with keys sorted. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/**
 * Restores org-local data by Clerk organization id and natural key (prompt name, resource uri,
 * MCP server name), never by auto ids, in one transaction. Idempotent: a second run reports
 * everything unchanged. Only adds and updates; never deletes.
 */
export async function restoreSidecar(prisma: PrismaClient, sidecar: Sidecar): Promise<RestoreReport> {
  const report: RestoreReport = { organizationsRestored: 0, missingOrganizations: [], unknownServers: [], prompts: zero(), resources: zero(), services: zero() };
  const ids = sidecar.organizations.map((o) => o.id);
  await prisma.$transaction(
    async (tx) => {
      const present = new Set((await tx.organization.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((o) => o.id));
      const servers = new Map((await tx.mcpServer.findMany({ select: { id: true, name: true } })).map((s) => [s.name, s.id]));
      const entries = sidecar.organizations.filter((o) => {
        if (present.has(o.id)) return true;
        report.missingOrganizations.push(o.id);
        return false;
      });
      const orgIds = entries.map((o) => o.id);
      const prompts = new Map((await tx.prompt.findMany({ where: { organizationId: { in: orgIds } } })).map((p) => [`${p.organizationId}/${p.name}`, p]));
      const resources = new Map((await tx.resource.findMany({ where: { organizationId: { in: orgIds } } })).map((r) => [`${r.organizationId}/${r.uri}`, r]));
      const services = new Map((await tx.organizationService.findMany({ where: { organizationId: { in: orgIds } } })).map((s) => [`${s.organizationId}/${s.mcpServerId}`, s]));

      const newPrompts = [];
      const newResources = [];
      const newServices = [];
      for (const org of entries) {
        report.organizationsRestored += 1;
        for (const p of org.prompts) {
          const current = prompts.get(`${org.id}/${p.name}`);
          if (!current) newPrompts.push({ organizationId: org.id, ...p });
          else if (current.content !== p.content || current.description !== p.description) {
            await tx.prompt.update({ where: { id: current.id }, data: { content: p.content, description: p.description } });
            report.prompts.updated += 1;
          } else report.prompts.unchanged += 1;
        }
        for (const r of org.resources) {
          const current = resources.get(`${org.id}/${r.uri}`);
          if (!current) newResources.push({ organizationId: org.id, ...r });
          else if (current.name !== r.name || current.description !== r.description || current.mimeType !== r.mimeType || current.content !== r.content) {
            await tx.resource.update({ where: { id: current.id }, data: { name: r.name, description: r.description, mimeType: r.mimeType, content: r.content } });
            report.resources.updated += 1;
          } else report.resources.unchanged += 1;
        }
        for (const s of org.services) {
          const serverId = servers.get(s.mcpServer);
          if (serverId === undefined) {
            report.unknownServers.push({ organizationId: org.id, mcpServer: s.mcpServer });
            continue;
          }
          const current = services.get(`${org.id}/${serverId}`);
          const config = s.config as object;
          if (!current) newServices.push({ organizationId: org.id, mcpServerId: serverId, enabled: s.enabled, config });
          else if (current.enabled !== s.enabled || !same(current.config, s.config)) {
            await tx.organizationService.update({ where: { id: current.id }, data: { enabled: s.enabled, config } });
            report.services.updated += 1;
          } else report.services.unchanged += 1;
        }
      }
      report.prompts.created = (await tx.prompt.createMany({ data: newPrompts })).count;
      report.resources.created = (await tx.resource.createMany({ data: newResources })).count;
      report.services.created = (await tx.organizationService.createMany({ data: newServices })).count;
    },
    { timeout: 60_000 },
  );
  return report;
}

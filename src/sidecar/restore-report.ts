import type { RestoreReport } from "./restore.ts";

/** A restore report as text: counts per kind, then what was not restored and why. */
export function formatRestore(file: string, r: RestoreReport): string {
  const c = (x: { created: number; updated: number; unchanged: number }) => `${x.created} created, ${x.updated} updated, ${x.unchanged} unchanged`;
  const lines = [
    `Restored ${r.organizationsRestored} organizations from ${file}`,
    `  prompts:   ${c(r.prompts)}`,
    `  resources: ${c(r.resources)}`,
    `  services:  ${c(r.services)}`,
  ];
  if (r.missingOrganizations.length) {
    lines.push(`Not restored — these organizations are not in the database (gone from Clerk?); their entries stay in the file: ${r.missingOrganizations.join(", ")}`);
  }
  for (const u of r.unknownServers) lines.push(`Not restored — MCP server "${u.mcpServer}" (organization ${u.organizationId}) is not seeded; run pnpm db:seed, then restore again`);
  return lines.join("\n");
}

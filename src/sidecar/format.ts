import { z } from "zod";

/** The sidecar holds only org-local data Clerk does not have; never users, orgs, memberships or secrets. */
export const SIDECAR_FORMAT = "clerk-resync-sidecar";
export const SIDECAR_VERSION = 1;

const json: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));

export const promptEntry = z.object({ name: z.string().min(1), description: z.string().nullable(), content: z.string() });
export const resourceEntry = z.object({
  uri: z.string().min(1),
  name: z.string(),
  description: z.string().nullable(),
  mimeType: z.string().nullable(),
  content: z.string().nullable(),
});
export const serviceEntry = z.object({ mcpServer: z.string().min(1), enabled: z.boolean(), config: z.record(z.string(), json) });

export const organizationEntry = z.object({
  /** Clerk organization id: the key restore matches on. */
  id: z.string().regex(/^org_\w+$/, "is not a Clerk organization id"),
  /** For people reading the file; restore ignores it. */
  name: z.string().nullable(),
  prompts: z.array(promptEntry),
  resources: z.array(resourceEntry),
  services: z.array(serviceEntry),
});

export const sidecarSchema = z.object({
  format: z.literal(SIDECAR_FORMAT),
  version: z.literal(SIDECAR_VERSION),
  createdAt: z.string().datetime(),
  /** The Clerk instance the org ids belong to, when known. */
  clerkInstanceId: z.string().nullable(),
  reason: z.enum(["backup", "reset", "prune", "team"]),
  /** Config fields left out because they looked like secrets (per org and service). */
  strippedSecrets: z.array(z.string()),
  organizations: z.array(organizationEntry),
});

export type Sidecar = z.infer<typeof sidecarSchema>;
export type SidecarOrganization = z.infer<typeof organizationEntry>;

export class SidecarFormatError extends Error {
  override name = "SidecarFormatError";
}

/** Validates a parsed file; a foreign, newer or malformed file is refused with what is wrong. */
export function parseSidecar(data: unknown, source: string): Sidecar {
  const header = data as { format?: unknown; version?: unknown } | null;
  if (!header || typeof header !== "object" || header.format !== SIDECAR_FORMAT) {
    throw new SidecarFormatError(`${source} is not a clerk-resync sidecar (expected "format": "${SIDECAR_FORMAT}"); nothing was restored`);
  }
  if (typeof header.version === "number" && header.version > SIDECAR_VERSION) {
    throw new SidecarFormatError(`${source} is sidecar version ${header.version}, newer than this tool reads (${SIDECAR_VERSION}): update clerk-resync; nothing was restored`);
  }
  const parsed = sidecarSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new SidecarFormatError(`${source} is malformed (${problems}); nothing was restored`);
  }
  return parsed.data;
}

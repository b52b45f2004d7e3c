// Which database a command works on, without credentials: host, port, name (and schema), or the
// embedded data folder. Backups and the switch journal are kept per identity.
import { createHash } from "node:crypto";
import path from "node:path";
import type { Config } from "../config.ts";
import { pgConfigFromUrl, schemaFromUrl } from "./pg-config.ts";

export function databaseIdentity(config: Pick<Config, "databaseUrl" | "pgliteDir">): string {
  if (!config.databaseUrl) return `embedded:${path.resolve(config.pgliteDir)}`;
  const c = pgConfigFromUrl(config.databaseUrl);
  const schema = schemaFromUrl(config.databaseUrl);
  return `${c.host ?? "localhost"}:${c.port ?? 5432}/${c.database ?? ""}${schema && schema !== "public" ? `?schema=${schema}` : ""}`;
}

/** A file-name-safe form of an identity: readable, and unique through a short hash. */
export function identitySlug(identity: string): string {
  const readable = identity.replace(/^embedded:.*[/\\]([^/\\]+)$/, "embedded-$1").replace(/[^\w.-]+/g, "_").slice(-48);
  return `${readable}-${createHash("sha256").update(identity).digest("hex").slice(0, 8)}`;
}

import type { Database } from "../db/database.ts";
import { pgConfigFromUrl } from "../db/pg-config.ts";
import { SafetyError } from "../errors.ts";

/**
 * A reset wipes the database: only do it unasked to one that is plainly a local development
 * database. Anything on another host, or whose name suggests production, needs --yes.
 */
export function describeRemoteDatabase(url: string): string | undefined {
  // Parsed as pg parses it: `?host=` overrides the URL's host.
  const config = pgConfigFromUrl(url);
  const host = String(config.host ?? "").replace(/^\[|\]$/g, "");
  const database = String(config.database ?? "");
  const local = host === "" || host.startsWith("/") || host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (!local) return `DATABASE_URL points at ${host}, which is not this machine`;
  if (/prod|live|shared|staging/i.test(database)) return `DATABASE_URL names the database "${database}", which does not look like a development database`;
  return undefined;
}

/** Stops a reset of a database that is not plainly local development, unless `yes`. */
export function assertResettable(db: Pick<Database, "embedded" | "url">, yes: boolean): void {
  if (db.embedded || yes) return;
  const remote = describeRemoteDatabase(db.url);
  if (remote) throw new SafetyError(`${remote}. A reset wipes it: pass --yes if that is really what you want.`);
}

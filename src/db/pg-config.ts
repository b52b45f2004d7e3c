import { parse } from "pg-connection-string";
import type { PoolConfig } from "pg";
import { ConfigError, errorMessage } from "../errors.ts";

/** Prisma's own URL parameters: pg does not know them; `schema` becomes the search_path. */
const PRISMA_ONLY = ["schema", "connection_limit", "pool_timeout", "pgbouncer", "sslaccept", "socket_timeout", "statement_cache_size"];

/**
 * A schema name as Prisma means it (case kept) in a startup `options` value: double-quoted unless
 * it is lower case already (PostgreSQL folds an unquoted `MyApp` to `myapp`), and backslash-escaped
 * where libpq's option syntax needs it (spaces, backslashes).
 */
function searchPathOption(schema: string): string {
  const identifier = /^[a-z_][a-z0-9_$]*$/.test(schema) ? schema : `"${schema.replaceAll('"', '""')}"`;
  return identifier.replace(/[\\\s]/g, (c) => `\\${c}`);
}

/**
 * Turns a postgres URL into discrete pg fields with pg's own parser (socket hosts such as
 * `?host=/var/run/postgresql`, `application_name`, `options`, sslmode with libpq's meaning).
 * PrismaPg must get fields, not a `connectionString`: with a connection string its shadow
 * database for `migrate dev` would point at the main database.
 */
export function pgConfigFromUrl(url: string): PoolConfig {
  const protocol = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (protocol !== "postgres" && protocol !== "postgresql") {
    throw new ConfigError(`DATABASE_URL must be a postgres:// or postgresql:// URL, got "${protocol ? `${protocol}:` : url.slice(0, 12)}…"`);
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(url, { useLibpqCompat: true });
  } catch (err) {
    throw new ConfigError(`DATABASE_URL cannot be parsed: ${errorMessage(err)}`, { cause: err });
  }
  const schema = typeof parsed.schema === "string" && parsed.schema ? parsed.schema : undefined;
  const connectTimeout = typeof parsed.connect_timeout === "string" ? Number(parsed.connect_timeout) : undefined;
  for (const key of [...PRISMA_ONLY, "connect_timeout", "uselibpqcompat", "sslmode", "sslcert", "sslkey", "sslrootcert"]) delete parsed[key];
  const port = parsed.port ? Number(parsed.port) : 5432;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new ConfigError(`DATABASE_URL has an invalid port "${parsed.port}"`);
  const options = [parsed.options, schema ? `-c search_path=${searchPathOption(schema)}` : undefined].filter(Boolean).join(" ");
  const { host, user, password, database, ssl, ...rest } = parsed;
  return {
    ...(rest as PoolConfig),
    host: host || "127.0.0.1",
    port,
    user: user || undefined,
    password: password || undefined,
    database: database || "postgres",
    ssl: ssl as PoolConfig["ssl"],
    ...(options ? { options } : {}),
    ...(connectTimeout && connectTimeout > 0 ? { connectionTimeoutMillis: connectTimeout * 1000 } : {}),
  };
}

/** The schema Prisma's `?schema=` names (queries are qualified with it); undefined = public. */
export function schemaFromUrl(url: string): string | undefined {
  const value = /[?&]schema=([^&#]*)/.exec(url)?.[1];
  return value ? decodeURIComponent(value) : undefined;
}

/** The application_name of clerk-resync's sessions (pools and the writer lock): `clerk-resync … pid=N`. */
export const sessionName = (what: string) => `clerk-resync ${what} pid=${process.pid}`;
/** Matches clerk-resync's sessions (of any process) by their application_name. */
export const TOOL_SESSIONS = "^clerk-resync ";

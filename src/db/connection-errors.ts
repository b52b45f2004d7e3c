import { ConfigError } from "../errors.ts";

/** The pg error fields we read, anywhere in the cause chain (Prisma and pg wrap them). */
interface PgLike {
  code?: string;
  errors?: unknown[];
  cause?: unknown;
  message?: string;
}

function codesOf(err: unknown, seen = new Set<unknown>()): string[] {
  if (!err || typeof err !== "object" || seen.has(err)) return [];
  seen.add(err);
  const e = err as PgLike;
  return [...(typeof e.code === "string" ? [e.code] : []), ...(e.errors ?? []).flatMap((x) => codesOf(x, seen)), ...codesOf(e.cause, seen)];
}

/** Where the database is, for messages: host:port/name, never the password. */
export function describeDatabaseUrl(url: string | undefined): string {
  if (!url) return "the database";
  const u = new URL(url);
  return `${u.hostname || "localhost"}:${u.port || 5432}${u.pathname || "/postgres"}`;
}

/**
 * Turns the database failures a user can fix into one line that says how; undefined for others.
 * `embedded`: the database is the built-in PGlite one (no DATABASE_URL to blame).
 */
export function explainDatabaseError(err: unknown, url: string | undefined, embedded = false): string | undefined {
  const codes = codesOf(err);
  const at = describeDatabaseUrl(url);
  const database = url ? decodeURIComponent(new URL(url).pathname.slice(1)) || "postgres" : "the database";
  const has = (...c: string[]) => c.some((x) => codes.includes(x));
  let message: string | undefined;
  if (has("ECONNREFUSED")) {
    message = embedded
      ? `Cannot connect to the embedded database at ${at} (connection refused): is \`pnpm dev\` still running? Start it again, or stop it so commands open the data folder themselves`
      : `Cannot connect to the database at ${at} (connection refused): start PostgreSQL, or remove DATABASE_URL from .env to use the embedded database`;
  } else if (has("ENOTFOUND", "EAI_AGAIN")) {
    message = `Cannot find the database host of ${at}: check DATABASE_URL in .env`;
  } else if (has("3D000")) {
    message = `Database "${database}" does not exist at ${at}: create it (\`createdb ${database}\`) or fix DATABASE_URL in .env`;
  } else if (has("28P01", "28000")) {
    message = `The database at ${at} refused the login (${has("28P01") ? "password authentication failed" : "no such role or access not allowed"}): check the user and password in DATABASE_URL in .env`;
  } else if (has("42P01", "P2021")) {
    message = `The database at ${at} has no clerk-resync tables (never migrated): run \`pnpm db:migrate\``;
  }
  return message;
}

/** The explained error (keeping the original as `cause`), or the original when there is nothing to say. */
export function translateDatabaseError(err: unknown, url: string | undefined, embedded = false, suffix = ""): unknown {
  const message = explainDatabaseError(err, url, embedded);
  return message ? new ConfigError(`${message}${suffix}`, { cause: err }) : err;
}

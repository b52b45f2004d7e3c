// The one rule for what never leaves the tool: every line it writes (stdout, stderr, logs at every
// level, --json, reports, error messages) and every file meant for sharing goes through
// redactSecrets. Shapes are caught wherever they come from; the configured values are also
// caught literally (registerSecrets), in case one hides in an odd place or form.
import { secretKeyForSeed } from "./clerk-emulator/ids.ts";

/** What a masked URL password looks like, as `psql` and the Prisma docs print it. */
export const MASK = "****";

/** Clerk secret keys: sk_test_… / sk_live_…. */
const CLERK_KEY = /\bsk_(test|live)_[A-Za-z0-9_-]+/g;
/** Webhook signing secrets (Svix): whsec_… (base64). */
const WEBHOOK_SECRET = /\bwhsec_[A-Za-z0-9+/=_-]+/g;
/**
 * The password of any URL: `scheme://user:PASSWORD@host`. Greedy up to the last `@` before the
 * path, as URL parsers split it, so an unencoded `@` inside the password is masked too.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"'`]*):([^\s/?#"'`]*)@/gi;
/** libpq conninfo and query strings: `password=…`, `PGPASSWORD=…`, quoted or not. */
const KEY_VALUE_PASSWORD = /\b(pgpassword|password|passwd)(\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'"&;]+)/gi;

/**
 * The bundled emulator's fixed key (seed 1: the one `pnpm dev` prints so other shells can use it)
 * is derived from a seed in this source tree: it guards nothing, so output does not mask it.
 */
const PUBLIC_KEYS = new Set([secretKeyForSeed(1)]);

/**
 * Values this run prints on purpose and that guard nothing: the emulator's own key and signing
 * secret (derived from its seed, or typed by the user on its command line).
 */
export function declarePublic(values: readonly string[]): void {
  for (const value of values) {
    PUBLIC_KEYS.add(value);
    for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) known.delete(form);
  }
}

/** Literal values of this run's secrets, in every form they may be written in. */
const known = new Set<string>();

/** Shorter literals would mask ordinary words; their URL and key shapes are still caught. */
const MIN_LITERAL = 6;

/**
 * Registers this run's secrets (the database password, the Clerk key, the signing secret) so
 * they are masked wherever they appear: raw, percent-encoded, as the URL spells them, JSON-escaped.
 */
export function registerSecrets(values: readonly (string | undefined)[]): void {
  for (const value of values) {
    if (!value || value.length < MIN_LITERAL) continue;
    for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1), safeDecode(value)]) {
      if (form.length >= MIN_LITERAL) known.add(form);
    }
  }
}

/** The password of a database URL exactly as written in it (possibly percent-encoded), if any. */
export function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  URL_PASSWORD.lastIndex = 0;
  const match = URL_PASSWORD.exec(url);
  URL_PASSWORD.lastIndex = 0;
  return match?.[2] || undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `url` with its password as `****`: for the places a URL must be shown. */
export function maskUrlPassword(url: string): string {
  return url.replace(URL_PASSWORD, `$1:${MASK}@`);
}

export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  if (out.includes("sk_")) out = out.replace(CLERK_KEY, (key, kind: string) => (PUBLIC_KEYS.has(key) ? key : `sk_${kind}_[REDACTED]`));
  if (out.includes("whsec_")) out = out.replace(WEBHOOK_SECRET, (secret) => (PUBLIC_KEYS.has(secret) ? secret : "whsec_[REDACTED]"));
  if (out.includes("://")) out = maskUrlPassword(out);
  if (/pass/i.test(out)) out = out.replace(KEY_VALUE_PASSWORD, `$1$2${MASK}`);
  for (const secret of [...known, ...extraSecrets.filter((s) => s.length >= 8)]) {
    if (out.includes(secret)) out = out.split(secret).join("[REDACTED]");
  }
  return out;
}

/**
 * Only Clerk's keys: for private backups, which must give back every value of the user's own data
 * (a service's URL or token) after a reset, but never carry the key this tool runs with.
 */
export function redactClerkKeys(text: string): string {
  return text.includes("sk_") ? text.replace(CLERK_KEY, "sk_$1_[REDACTED]") : text;
}

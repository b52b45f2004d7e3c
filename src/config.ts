import path from "node:path";
import { z } from "zod";
import { readPackageJsonConfig, type AppConfig } from "./app-config.ts";
import type { TableClass } from "./define-config.ts";
import { ConfigError } from "./errors.ts";
import type { Mirror } from "./mirror/columns.ts";
import { DEFAULT_BODY_LIMIT_BYTES } from "./live/limits.ts";

/** Clerk's development-instance budget: 100 requests per 10 s (CONTRACT.md §5). */
export const CLERK_DEV_REQUESTS_PER_WINDOW = 100;
export const CLERK_RATE_WINDOW_MS = 10_000;

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));

const positiveInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.addIssue({ code: "custom", message: `must be a positive integer, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const envSchema = z.object({
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: "must be a postgresql:// URL (or unset to use the embedded PGlite database)",
  }),
  CLERK_SECRET_KEY: optionalString.refine((v) => v === undefined || /^sk_(test|live)_\S+$/.test(v), {
    message: "must look like sk_test_… or sk_live_… (Clerk Dashboard → API keys → Secret keys)",
  }),
  CLERK_API_URL: optionalString
    .transform((v) => v ?? "https://api.clerk.com")
    .refine((v) => /^https?:\/\/[^/]+/.test(v), { message: "must be an http(s) URL such as https://api.clerk.com" }),
  CLERK_WEBHOOK_SIGNING_SECRET: optionalString.refine((v) => v === undefined || /^whsec_\S+$/.test(v), {
    message: "must look like whsec_… (Clerk Dashboard → Webhooks → your endpoint → Signing Secret)",
  }),
  CLERK_WEBHOOK_BODY_LIMIT_BYTES: positiveInt(DEFAULT_BODY_LIMIT_BYTES),
  CLERK_REQUESTS_PER_WINDOW: positiveInt(CLERK_DEV_REQUESTS_PER_WINDOW),
  CLERK_RATE_WINDOW_MS: positiveInt(CLERK_RATE_WINDOW_MS),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .optional()
    .transform((v) => v ?? "info"),
  CLERK_RESYNC_SIDECAR_DIR: optionalString,
  CLERK_RESYNC_PGLITE_DIR: optionalString,
  CLERK_RESYNC_DEV_STATE: optionalString,
  CLERK_RESYNC_TEAM_SIDECAR: optionalString,
  CLERK_RESYNC_MIRROR_PRIVATE_METADATA: z
    .enum(["", "0", "1", "false", "true"], { message: "must be 1 (mirror private metadata) or 0 (default: leave it null)" })
    .optional()
    .transform((v) => v === "1" || v === "true"),
});

export interface Config {
  /** Unset: the embedded PGlite database is used. */
  databaseUrl: string | undefined;
  clerk: {
    secretKey: string | undefined;
    apiUrl: string;
    requestsPerWindow: number;
    windowMs: number;
  };
  /** Signing secret of the webhook endpoint (`whsec_…`), for `clerk:webhooks` and `handleClerkWebhook`. */
  webhookSigningSecret: string | undefined;
  /** Largest webhook body the receiver reads (default 1 MB); larger ones get 413. */
  webhookBodyLimitBytes: number;
  logLevel: string;
  /** Where sidecar backups go (default prisma/backups). */
  sidecarDir: string;
  /** Data folder of the embedded database (default .data/pglite). */
  pgliteDir: string;
  /** Where `pnpm dev` says where its services are (default .data/dev-state.json). */
  devStateFile: string;
  /** The team's committed sidecar that `bootstrap` restores (default prisma/sidecar/team.json). */
  teamSidecar: string;
  /** Copy Clerk's private metadata into the mirror (opt-in: it may hold secrets). */
  mirrorPrivateMetadata: boolean;
  /** Project root: prisma/ and the CLI live here. */
  rootDir: string;
  /** The app's classification of tables a reset cannot place alone (its config file or package.json key). */
  tables: Readonly<Record<string, TableClass>>;
  /** Where Clerk's records live in the app's database (its config's `mirror`, else clerk-resync's own schema). */
  mirror: Mirror;
  /** Where the app's configuration came from: a config file, "package.json \"clerkResync\"" or "defaults". */
  configSource: string;
}

const HINTS: Record<string, string> = {
  DATABASE_URL: "set it in .env, e.g. DATABASE_URL=postgresql://user@127.0.0.1:5432/app, or remove it to use the embedded database",
  CLERK_SECRET_KEY: "copy the secret key of your Clerk development instance into .env as CLERK_SECRET_KEY",
  CLERK_API_URL: "leave it unset for Clerk's API, or point it at the emulator (pnpm clerk:emulator prints the URL)",
};

/**
 * Parses the environment; every problem is reported at once, each naming the variable and the fix.
 * `app`: the app's loaded configuration (loadAppConfig); without it, its package.json key.
 */
export function loadConfig(env: NodeJS.ProcessEnv, rootDir: string = process.cwd(), app: AppConfig = readPackageJsonConfig(rootDir)): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      const hint = HINTS[name];
      return `${name} ${issue.message}${hint ? ` — ${hint}` : ""}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    clerk: {
      secretKey: e.CLERK_SECRET_KEY,
      apiUrl: e.CLERK_API_URL.replace(/\/+$/, ""),
      requestsPerWindow: e.CLERK_REQUESTS_PER_WINDOW,
      windowMs: e.CLERK_RATE_WINDOW_MS,
    },
    webhookSigningSecret: e.CLERK_WEBHOOK_SIGNING_SECRET,
    webhookBodyLimitBytes: e.CLERK_WEBHOOK_BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    sidecarDir: path.resolve(rootDir, e.CLERK_RESYNC_SIDECAR_DIR ?? "prisma/backups"),
    pgliteDir: path.resolve(rootDir, e.CLERK_RESYNC_PGLITE_DIR ?? ".data/pglite"),
    devStateFile: path.resolve(rootDir, e.CLERK_RESYNC_DEV_STATE ?? ".data/dev-state.json"),
    teamSidecar: path.resolve(rootDir, e.CLERK_RESYNC_TEAM_SIDECAR ?? "prisma/sidecar/team.json"),
    mirrorPrivateMetadata: e.CLERK_RESYNC_MIRROR_PRIVATE_METADATA,
    rootDir,
    tables: app.tables,
    mirror: app.mirror,
    configSource: app.source,
  };
}

export function requireSecretKey(config: Config): string {
  if (!config.clerk.secretKey) {
    throw new ConfigError(`CLERK_SECRET_KEY is not set — ${HINTS.CLERK_SECRET_KEY} (or run \`pnpm demo\` to try the tool against the bundled emulator)`);
  }
  return config.clerk.secretKey;
}

/**
 * A path the user typed (`db:restore FILE`, `db:backup --out FILE`), resolved against the folder
 * they typed it in: pnpm runs scripts in the project root and passes that folder as INIT_CWD.
 */
export function resolveUserPath(typed: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.INIT_CWD || process.cwd(), typed);
}

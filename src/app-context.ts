// Where every entry point starts (CLI, programmatic API, the app's webhook route): the app's root,
// its .env files, its secrets known to the redaction rule, its config file, its environment.
import { loadAppConfig, NO_APP_CONFIG, parseAppConfig } from "./app-config.ts";
import type { ClerkResyncConfig } from "./define-config.ts";
import { loadConfig, type Config } from "./config.ts";
import { loadEnvFiles } from "./env-files.ts";
import { findProjectRoot } from "./project-root.ts";
import { registerSecrets, urlPassword } from "./redact.ts";

export interface AppContextOptions {
  /** A folder of the app (default: process.cwd()); its nearest package.json marks the root. */
  cwd?: string;
  /** Configuration variables (default: process.env, with the app's .env.local and .env under it). */
  env?: NodeJS.ProcessEnv;
}

/**
 * `appConfig: false` for paths that use nothing of the app's config file: it is not loaded, so
 * neither its errors nor tsx's start-up reach them. An object is the app's config, imported by the
 * app itself (a webhook route bundled with it).
 */
export async function loadAppContext(options: AppContextOptions & { appConfig?: boolean | ClerkResyncConfig } = {}): Promise<Config> {
  const root = findProjectRoot(options.cwd);
  let env = options.env;
  if (!env) {
    loadEnvFiles(root);
    env = process.env;
  }
  // Before the config is checked: a refusal to parse it must not echo its secrets either.
  registerSecrets([urlPassword(env.DATABASE_URL), env.CLERK_SECRET_KEY?.trim(), env.CLERK_WEBHOOK_SIGNING_SECRET?.trim()]);
  const { appConfig } = options;
  const app = appConfig === false ? NO_APP_CONFIG : typeof appConfig === "object" ? parseAppConfig(appConfig, "the config passed to clerkWebhookRoute") : await loadAppConfig(root);
  return loadConfig(env, root, app);
}

// The app's own word on clerk-resync: clerk-resync.config.ts (or .mts/.js/.mjs) beside its
// package.json, or a "clerkResync" key in package.json. One place at a time, so nothing is
// configured twice and silently ignored.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import type { TableClass } from "./define-config.ts";
import { ConfigError, ConfigFileLoadError, errorMessage } from "./errors.ts";
import { DEFAULT_MIRROR, type Mirror } from "./mirror/columns.ts";
import { mirrorFromMapping } from "./mirror/mapping.ts";
import { closest } from "./cli-args.ts";

/** For code paths that use nothing of it (the webhook handler): no file is read, none is loaded. */
export const NO_APP_CONFIG: AppConfig = { tables: {}, mirror: DEFAULT_MIRROR, source: "not read (nothing on this path uses it)" };

export const CONFIG_FILE_NAMES = ["clerk-resync.config.ts", "clerk-resync.config.mts", "clerk-resync.config.js", "clerk-resync.config.mjs"] as const;

export interface AppConfig {
  tables: Record<string, TableClass>;
  /** Where Clerk's records live in the app's database. */
  mirror: Mirror;
  /** Where it came from, for messages: a file name, 'package.json "clerkResync"', or "defaults". */
  source: string;
}

const name = z.string().min(1);
const entityMapping = z.strictObject({
  table: name.optional(),
  clerkId: name.optional(),
  primaryKey: z.union([name, z.strictObject({ column: name, generate: z.enum(["cuid", "uuid"]).optional() })]).optional(),
  fields: z.record(name, name).optional(),
});

const appConfigSchema = z.strictObject({
  tables: z.record(name, z.enum(["seeded", "keep", "disposable"])).default({}),
  mirror: z.strictObject({ users: entityMapping.optional(), organizations: entityMapping.optional(), memberships: entityMapping.optional() }).optional(),
});

/** Every key the configuration takes, at any level: what a misspelled one most likely meant. */
const KNOWN_KEYS = ["tables", "mirror", "users", "organizations", "memberships", "table", "clerkId", "primaryKey", "fields", "column", "generate"];
const meant = (keys: readonly string[]) => {
  const near = keys.map((k) => [k, closest(k, KNOWN_KEYS)] as const).filter(([, n]) => n);
  if (!near.length) return "";
  return ` (did you mean ${keys.length === 1 ? `"${near[0]![1]}"` : near.map(([k, n]) => `"${n}" for "${k}"`).join(", ")}?)`;
};

/** Checks a configuration object (a config file's default export, the package.json key, or one the app passes in code). */
export function parseAppConfig(value: unknown, source: string): AppConfig {
  const parsed = appConfigSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}${i.code === "unrecognized_keys" ? meant(i.keys) : ""}`).join("; ");
    throw new ConfigError(`${source} is invalid (${problems}). It takes { tables?: { Name: "seeded" | "keep" | "disposable" }, mirror?: { users?, organizations?, memberships? } } (docs/configuration.md).`);
  }
  try {
    return { tables: parsed.data.tables, mirror: mirrorFromMapping(parsed.data.mirror), source };
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${source}: ${err.message}`);
    throw err;
  }
}

function packageJsonKey(rootDir: string): unknown {
  const file = path.join(rootDir, "package.json");
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, "utf8")) as { clerkResync?: unknown }).clerkResync;
}

/**
 * The package.json key alone: all that can be read without loading code. Where the app has a
 * config file this refuses, rather than silently read less than the app says.
 */
export function readPackageJsonConfig(rootDir: string): AppConfig {
  const file = findConfigFile(rootDir);
  if (file) throw new ConfigError(`${path.basename(file)} in ${rootDir} must be loaded (loadAppConfig), not skipped.`);
  const key = packageJsonKey(rootDir);
  return key === undefined ? { tables: {}, mirror: DEFAULT_MIRROR, source: "defaults" } : parseAppConfig(key, 'package.json "clerkResync"');
}

export function findConfigFile(rootDir: string): string | undefined {
  const found = CONFIG_FILE_NAMES.map((name) => path.join(rootDir, name)).filter((file) => existsSync(file));
  if (found.length > 1) throw new ConfigError(`Both ${found.map((f) => path.basename(f)).join(" and ")} are in ${rootDir}: keep one.`);
  return found[0];
}

/** A TypeScript config goes through tsx, loaded only then; JavaScript is imported as it is. */
async function importConfigFile(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  const mod = (/\.m?ts$/.test(file) ? await (await import(/* webpackIgnore: true */ "tsx/esm/api")).tsImport(url, import.meta.url) : await import(url)) as { default?: unknown };
  // In an app whose package.json has no "type": "module" (create-next-app's), a .ts file is
  // compiled as CommonJS: its `export default` arrives wrapped once more.
  const value = mod.default as { __esModule?: boolean; default?: unknown } | undefined;
  return value && typeof value === "object" && value.__esModule === true && "default" in value ? value.default : value;
}

/** The app's configuration: its config file, else its package.json key, else the defaults. */
export async function loadAppConfig(rootDir: string): Promise<AppConfig> {
  const file = findConfigFile(rootDir);
  if (!file) return readPackageJsonConfig(rootDir);
  const name = path.basename(file);
  if (packageJsonKey(rootDir) !== undefined) throw new ConfigError(`The app is configured twice: in ${name} and in package.json "clerkResync". Move the package.json key into ${name}.`);
  let value: unknown;
  try {
    value = await importConfigFile(file);
  } catch (err) {
    throw new ConfigFileLoadError(`${name} could not be loaded: ${errorMessage(err)}`);
  }
  if (value === undefined) throw new ConfigError(`${name} has no default export: end it with \`export default defineConfig({ … })\`.`);
  return parseAppConfig(value, name);
}

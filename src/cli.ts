#!/usr/bin/env -S node --import tsx
// argv -> config -> command. The only place that catches errors and sets exit codes.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "./commands/index.ts";
import { JSON_FLAG, packageVersion, parseCli } from "./cli-args.ts";
import { loadConfig, type Config } from "./config.ts";
import { withRunningDev } from "./dev-state.ts";
import { loadEnvFiles } from "./env-files.ts";
import { translateDatabaseError } from "./db/connection-errors.ts";
import { BusyError, ClerkRequestError, ConfigError, EXIT, SafetyError, SidecarFormatError, StepError, UsageError, errorMessage } from "./errors.ts";
import { createLogger } from "./log.ts";
import { colorEnabled, createOutput } from "./output.ts";
import { redactSecrets } from "./redact.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function usage(): string {
  const scripts = Object.values(COMMANDS).map((c) => c.spec.script);
  const width = Math.max(...scripts.map((s) => s.length)) + 2;
  const lines = Object.values(COMMANDS).map((c) => `  ${c.spec.script.padEnd(width)}${c.spec.summary}`);
  return `Usage: pnpm <script> [options]   (each answers --help)\n\nScripts:\n${lines.join("\n")}`;
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const [name, ...args] = argv;
  const out = createOutput({ json });
  let config: Config | undefined;
  try {
    if (!name || name === "--help" || name === "-h" || name === "help") {
      process.stdout.write(`${usage()}\n`);
      return name ? EXIT.ok : EXIT.usage;
    }
    if (name === "--version") {
      process.stdout.write(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`Unknown command "${name}".\n${usage()}`);
    const parsed = parseCli({ ...command.spec, flags: { ...command.spec.flags, json: JSON_FLAG } }, args);
    if (parsed.kind !== "run") {
      process.stdout.write(`${parsed.text}\n`);
      return EXIT.ok;
    }
    loadEnvFiles(ROOT);
    config = loadConfig(process.env, ROOT);
    const log = createLogger({
      level: config.logLevel,
      secrets: config.clerk.secretKey ? [config.clerk.secretKey] : [],
      pretty: Boolean(process.stderr.isTTY) && !json,
      color: colorEnabled(process.env, Boolean(process.stderr.isTTY)),
      destination: { write: (text: string) => out.log(text) },
    });
    // dev starts the services others find; demo brings its own.
    if (name !== "dev" && name !== "demo") config = withRunningDev(config, log);
    return await command.run({ config, log, out }, parsed);
  } catch (caught) {
    // A database failure the command did not explain itself (e.g. a table gone mid-run).
    const ours = [ConfigError, UsageError, SafetyError, StepError, ClerkRequestError, BusyError, SidecarFormatError].some((c) => caught instanceof c);
    const err = ours ? caught : translateDatabaseError(caught, config?.databaseUrl, !config?.databaseUrl);
    const secrets = config?.clerk.secretKey ? [config.clerk.secretKey] : [];
    const code = err instanceof UsageError ? EXIT.usage : EXIT.failure;
    let message = errorMessage(err);
    if (err instanceof StepError && err.nextStep) message += `\nTo finish the job: ${err.nextStep}`;
    if (!(err instanceof ConfigError || err instanceof UsageError || err instanceof SafetyError || err instanceof StepError || err instanceof SidecarFormatError)) {
      if (process.env.LOG_LEVEL === "debug" && err instanceof Error && err.stack) message = err.stack;
    }
    message = redactSecrets(message, secrets);
    if (json) {
      process.stdout.write(`${JSON.stringify({ error: { name: (err as Error)?.name ?? "Error", message } })}\n`);
    }
    process.stderr.write(`error: ${message}\n`);
    return code;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${redactSecrets(String(err))}\n`);
    process.exitCode = EXIT.failure;
  },
);

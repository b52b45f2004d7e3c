#!/usr/bin/env -S node --import tsx
// argv -> config -> command. The only place that catches errors and sets exit codes.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { backupCommand } from "./commands/backup.ts";
import { bootstrapCommand } from "./commands/bootstrap.ts";
import { demoCommand } from "./commands/demo.ts";
import { devCommand } from "./commands/dev.ts";
import { migrateCommand } from "./commands/migrate.ts";
import { resetForceCommand } from "./commands/reset-force.ts";
import { resetCommand } from "./commands/reset.ts";
import { restoreCommand } from "./commands/restore.ts";
import { resyncCommand } from "./commands/resync.ts";
import { seedCommand } from "./commands/seed.ts";
import { webhooksCommand } from "./commands/webhooks.ts";
import type { Command } from "./commands/context.ts";
import { loadConfig, loadDotEnv, type Config } from "./config.ts";
import { translateDatabaseError } from "./db/connection-errors.ts";
import { BusyError, ClerkRequestError, ConfigError, EXIT, ExitCode, SafetyError, StepError, UsageError, errorMessage } from "./errors.ts";
import { createLogger } from "./log.ts";
import { createOutput } from "./output.ts";
import { redactSecrets } from "./redact.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const COMMANDS: Record<string, Command> = {
  migrate: migrateCommand,
  seed: seedCommand,
  resync: resyncCommand,
  backup: backupCommand,
  restore: restoreCommand,
  reset: resetCommand,
  "reset-force": resetForceCommand,
  bootstrap: bootstrapCommand,
  demo: demoCommand,
  dev: devCommand,
  webhooks: webhooksCommand,
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return `Usage: tsx src/cli.ts <command> [options] [--json]\n\nCommands:\n${lines.join("\n")}`;
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const args = argv.filter((a) => a !== "--json");
  const name = args.shift();
  const out = createOutput({ json });
  let config: Config | undefined;
  try {
    if (!name || name === "--help" || name === "help") {
      process.stdout.write(`${usage()}\n`);
      return name ? EXIT.ok : EXIT.usage;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`Unknown command "${name}".\n${usage()}`);
    loadDotEnv(ROOT);
    config = loadConfig(process.env, ROOT);
    const log = createLogger({
      level: config.logLevel,
      secrets: config.clerk.secretKey ? [config.clerk.secretKey] : [],
      pretty: Boolean(process.stderr.isTTY) && !json,
    });
    return await command.run({ config, log, out }, args);
  } catch (caught) {
    if (caught instanceof ExitCode) return caught.code;
    // A database failure the command did not explain itself (e.g. a table gone mid-run).
    const ours = [ConfigError, UsageError, SafetyError, StepError, ClerkRequestError, BusyError].some((c) => caught instanceof c);
    const err = ours ? caught : translateDatabaseError(caught, config?.databaseUrl, !config?.databaseUrl);
    const secrets = config?.clerk.secretKey ? [config.clerk.secretKey] : [];
    const code = err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? EXIT.usage : EXIT.failure;
    let message = errorMessage(err);
    if (err instanceof StepError && err.nextStep) message += `\nTo finish the job: ${err.nextStep}`;
    if (!(err instanceof ConfigError || err instanceof UsageError || err instanceof SafetyError || err instanceof StepError)) {
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

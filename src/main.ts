// argv -> config -> command. The only place that catches errors and sets exit codes. Startup
// stays light: --help and --version load no command, and each command loads only what it uses.
import { COMMANDS, commandLine } from "./commands/index.ts";
import { JSON_FLAG, packageVersion, parseCli } from "./cli-args.ts";
import type { Config } from "./config.ts";
import { BusyError, ClerkRequestError, ConfigError, EXIT, FileError, SafetyError, SidecarFormatError, StepError, UsageError, errorMessage } from "./errors.ts";
import { colorEnabled, createOutput } from "./output.ts";
import { redactSecrets } from "./redact.ts";

function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((s) => s.length)) + 2;
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
  return `Usage: clerk-resync <command> [options]   (each answers --help)\n\nCommands:\n${lines.join("\n")}`;
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
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(`Unknown command "${name}".\n${usage()}`);
    const command = await entry.load();
    const spec = { script: commandLine(name), summary: entry.summary, ...command.spec, flags: { ...command.spec.flags, json: JSON_FLAG } };
    const parsed = parseCli(spec, args);
    if (parsed.kind !== "run") {
      process.stdout.write(`${parsed.text}\n`);
      return EXIT.ok;
    }
    const [{ loadAppContext }, { createLogger }] = await Promise.all([import("./app-context.ts"), import("./log.ts")]);
    config = await loadAppContext();
    const log = createLogger({
      level: config.logLevel,
      pretty: Boolean(process.stderr.isTTY) && !json,
      color: colorEnabled(process.env, Boolean(process.stderr.isTTY)),
      destination: { write: (text: string) => out.log(text) },
    });
    log.debug({ rootDir: config.rootDir, configSource: config.configSource }, "configuration");
    // dev starts the services others find; demo and the emulator bring their own.
    if (name !== "dev" && name !== "demo" && name !== "emulator") config = (await import("./dev-state.ts")).withRunningDev(config, log);
    return await command.run({ config, log, out }, parsed);
  } catch (caught) {
    // A database failure the command did not explain itself (e.g. a table gone mid-run).
    const ours = [ConfigError, UsageError, SafetyError, StepError, ClerkRequestError, BusyError, SidecarFormatError, FileError].some((c) => caught instanceof c);
    const { translateDatabaseError } = await import("./db/connection-errors.ts");
    const err = ours ? caught : translateDatabaseError(caught, config?.databaseUrl, !config?.databaseUrl);
    const code = err instanceof UsageError ? EXIT.usage : EXIT.failure;
    let message = errorMessage(err);
    if (err instanceof StepError && err.nextStep) message += `\nTo finish the job: ${err.nextStep}`;
    if (!(err instanceof ConfigError || err instanceof UsageError || err instanceof SafetyError || err instanceof StepError || err instanceof SidecarFormatError || err instanceof FileError)) {
      if (process.env.LOG_LEVEL === "debug" && err instanceof Error && err.stack) message = err.stack;
    }
    message = redactSecrets(message);
    // Through the same rule again: JSON escaping can change how a secret is spelled.
    if (json) out.result({ error: { name: (err as Error)?.name ?? "Error", message } });
    out.log(`error: ${message}\n`);
    return code;
  }
}

/** Runs the CLI with `argv` and sets the process's exit code. */
export function runMain(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`${redactSecrets(String(err))}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}

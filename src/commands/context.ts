import type { CommandSpec, Flags, ParsedArgs } from "../cli-args.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Output } from "../output.ts";

export interface CommandContext {
  readonly config: Config;
  readonly log: Logger;
  readonly out: Output;
}

export interface Command<F extends Flags = Flags> {
  /** Flags and example: the parser and --help both read it (the summary is in the catalog, index.ts). */
  readonly spec: CommandSpec<F>;
  /** Resolves to the exit code; throws on failure (only the CLI catches). */
  run(ctx: CommandContext, args: ParsedArgs<F>): Promise<number>;
}

/** Ties a command's flag types to its `run` (argument types flow from the spec). */
export function defineCommand<const F extends Flags>(command: Command<F>): Command<F> {
  return command;
}

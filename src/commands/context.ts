import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Output } from "../output.ts";

export interface CommandContext {
  readonly config: Config;
  readonly log: Logger;
  readonly out: Output;
}

export interface Command {
  readonly summary: string;
  readonly usage: string;
  /** Resolves to the exit code; throws on failure (only the CLI catches). */
  run(ctx: CommandContext, args: string[]): Promise<number>;
}

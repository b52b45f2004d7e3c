/** Exit codes that mean something to scripts. */
export const EXIT = {
  ok: 0,
  /** Anything that failed; the message says what to do. */
  failure: 1,
  /** `clerk:resync --check` found drift. */
  drift: 2,
  /** Bad command line. */
  usage: 64,
} as const;

/** Wrong or missing configuration: the message names the variable and the fix. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The app's config file exists but could not be imported (a syntax error, a missing import, a bundle that cannot load it). */
export class ConfigFileLoadError extends ConfigError {}

/** Bad command-line usage. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * The tool refused to go on because doing so could destroy data (production key, another Clerk
 * instance, a mass delete). The message names the flag that overrides it.
 */
export class SafetyError extends Error {
  override name = "SafetyError";
}

/** A Clerk request failed for good (after retries). */
export class ClerkRequestError extends Error {
  override name = "ClerkRequestError";
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A step failed; `nextStep` is the command that finishes the job by hand. */
export class StepError extends Error {
  override name = "StepError";
  constructor(
    message: string,
    readonly nextStep: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A sidecar file that cannot be used as it is (malformed, foreign, newer, duplicate keys); nothing was touched. */
export class SidecarFormatError extends Error {
  override name = "SidecarFormatError";
}

/** Another process holds what this command needs (the database, its data folder); the message names it. */
export class BusyError extends Error {
  override name = "BusyError";
}

/** A file or folder the tool cannot use (a file where a folder should be, read-only, full disk); the message names the path and the fix. */
export class FileError extends Error {
  override name = "FileError";
}

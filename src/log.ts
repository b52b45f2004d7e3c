import { createRequire } from "node:module";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { redactSecrets } from "./redact.ts";

export type { Logger };

export interface LogOptions {
  level: string;
  /** Extra literal secrets (the configured key, even if it has an odd shape). */
  secrets?: readonly string[];
  /** Human-readable lines (on a TTY) instead of JSON lines. */
  pretty?: boolean;
  /** Colours in pretty lines (see colorEnabled: NO_COLOR, FORCE_COLOR). */
  color?: boolean;
  /** Where log lines go; stderr by default so stdout stays clean for `--json`. The CLI passes Output.log so a progress line is cleared first. */
  destination?: { write(text: string): unknown };
}

/**
 * Logs go to stderr; stdout belongs to the command's report. Secrets are removed twice: pino's
 * `redact` blanks known fields, and every serialized line goes through the redaction rule of
 * src/redact.ts (a key or a URL's password can hide inside an error message).
 */
export function createLogger(options: LogOptions): Logger {
  const secrets = options.secrets ?? [];
  const sink = options.destination ?? process.stderr;
  const scrubbed = new Writable({
    write(chunk, _enc, done) {
      sink.write(redactSecrets(String(chunk), secrets));
      done();
    },
  });
  // pino-pretty only on a terminal: loading it costs start-up time every scripted run would pay.
  const destination = options.pretty
    ? (createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty"))({ destination: scrubbed, colorize: options.color ?? false, ignore: "pid,hostname", sync: true })
    : scrubbed;
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: {
        paths: ["secretKey", "*.secretKey", "password", "*.password", "headers.authorization", "*.headers.authorization", "CLERK_SECRET_KEY", "*.CLERK_SECRET_KEY", "CLERK_WEBHOOK_SIGNING_SECRET", "*.CLERK_WEBHOOK_SIGNING_SECRET"],
        censor: "[REDACTED]",
      },
    },
    destination,
  );
}

/** A logger that writes nothing: for pure code paths and quiet tests. */
export const silentLogger: Logger = pino({ level: "silent" });

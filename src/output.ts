import { redactSecrets } from "./redact.ts";

/**
 * The command's report on stdout: a JSON object with --json, readable text otherwise. Every
 * write, stdout and stderr alike, goes through the redaction rule (src/redact.ts).
 */
export interface Output {
  readonly json: boolean;
  readonly isTTY: boolean;
  /** Human lines (skipped in --json mode). */
  line(text?: string): void;
  /** The single JSON document of a --json run. */
  result(value: unknown): void;
  /** The single JSON document of a --json run, already serialized, written chunk by chunk (large reports). */
  resultChunks(chunks: Iterable<string>): void;
  /** Transient progress on a TTY (stderr, overwritten in place); silent otherwise. */
  progress(text: string): void;
  /** Ends a progress line. */
  progressDone(): void;
  /** A log line for stderr: the progress line is cleared first and drawn again after it. */
  log(text: string): void;
}

/** Colours on a terminal unless NO_COLOR is set; FORCE_COLOR wins either way (as in Node). */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTTY;
}

const CLEAR_LINE = "\r\x1b[2K";

export function createOutput(options: {
  json: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}): Output {
  const rawStdout = options.stdout ?? process.stdout;
  const rawStderr = options.stderr ?? process.stderr;
  const stdout = { write: (text: string) => rawStdout.write(redactSecrets(text)) };
  const stderr = { write: (text: string) => rawStderr.write(redactSecrets(text)) };
  const progressOn = !options.json && Boolean(rawStderr.isTTY);
  /** The progress text on screen, if any. */
  let shown: string | undefined;
  // Ctrl-C while a progress line is up: clear it, then let the signal do what it would have.
  const onSignal = (signal: NodeJS.Signals) => {
    stderr.write(CLEAR_LINE);
    shown = undefined;
    unhook();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const unhook = () => {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  };
  return {
    json: options.json,
    isTTY: Boolean(rawStdout.isTTY),
    line(text = "") {
      if (!options.json) stdout.write(`${text}\n`);
    },
    result(value) {
      if (options.json) stdout.write(`${JSON.stringify(value)}\n`);
    },
    resultChunks(chunks) {
      if (options.json) for (const chunk of chunks) stdout.write(chunk);
    },
    progress(text) {
      if (!progressOn) return;
      if (shown === undefined) {
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
      }
      stderr.write(`${CLEAR_LINE}${text}`);
      shown = text;
    },
    progressDone() {
      if (shown === undefined) return;
      stderr.write(CLEAR_LINE);
      shown = undefined;
      unhook();
    },
    log(text) {
      if (shown === undefined) stderr.write(text);
      else stderr.write(`${CLEAR_LINE}${text}${text.endsWith("\n") ? "" : "\n"}${shown}`);
    },
  };
}

/** Renders rows as an aligned text table. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const fmt = (r: readonly string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ").trimEnd();
  return [fmt(cells[0] ?? []), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(fmt)].join("\n");
}

/** The command's report on stdout: a JSON object with --json, readable text otherwise. */
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
}

export function createOutput(options: {
  json: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const progressOn = !options.json && Boolean(stderr.isTTY);
  let progressShown = false;
  return {
    json: options.json,
    isTTY: Boolean(stdout.isTTY),
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
      stderr.write(`\r\x1b[2K${text}`);
      progressShown = true;
    },
    progressDone() {
      if (progressShown) stderr.write("\r\x1b[2K");
      progressShown = false;
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

// The one command-line parser: each command declares its flags once (name, type, one line of
// help); this turns argv into typed values, prints --help and --version, and makes every mistake
// a one-line UsageError (exit 64) that says what was meant.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

export type Flag =
  | { readonly type: "boolean"; readonly description: string }
  | { readonly type: "string"; readonly description: string; readonly value: string; readonly default?: string; readonly choices?: readonly string[] }
  | { readonly type: "number"; readonly description: string; readonly value: string; readonly default?: number }
  | { readonly type: "integer"; readonly description: string; readonly value: string; readonly default?: number; readonly min?: number; readonly max?: number };

export type Flags = Readonly<Record<string, Flag>>;

export interface CliSpec<F extends Flags = Flags> {
  /** How a user runs it: `pnpm clerk:resync`. */
  readonly script: string;
  readonly summary: string;
  /** One optional positional argument, e.g. `{ name: "FILE", … }`; none allowed otherwise. */
  readonly positional?: { readonly name: string; readonly description: string };
  /** Arguments after `--`, handed on untouched (e.g. to the app's seed); refused when absent. */
  readonly passThrough?: { readonly name: string; readonly description: string };
  readonly flags: F;
  readonly example: string;
}

/** A command's own part of its spec: the catalog (commands/index.ts) adds script and summary. */
export type CommandSpec<F extends Flags = Flags> = Omit<CliSpec<F>, "script" | "summary">;

type ValueOf<T extends Flag> = T extends { type: "boolean" }
  ? boolean
  : T extends { type: "integer" | "number"; default: number }
    ? number
    : T extends { type: "integer" | "number" }
      ? number | undefined
      : T extends { default: string }
        ? string
        : string | undefined;

export type FlagValues<F extends Flags> = { -readonly [K in keyof F]: ValueOf<F[K]> };

export interface ParsedArgs<F extends Flags = Flags> {
  readonly values: FlagValues<F>;
  readonly positionals: string[];
  /** What followed `--` (see CliSpec.passThrough). */
  readonly rest: string[];
}

export type ParseResult<F extends Flags> = ({ kind: "run" } & ParsedArgs<F>) | { kind: "help"; text: string } | { kind: "version"; text: string };

/** Flags every command answers; `--json` only where the caller adds it. */
const BUILT_IN = { help: "Show this help", version: "Print the version" } as const;

export const JSON_FLAG = { type: "boolean", description: "One JSON object on stdout, nothing else there (logs go to stderr)" } as const satisfies Flag;

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

/** argv → typed values, or the help/version text to print. Throws UsageError on any mistake. */
export function parseCli<F extends Flags>(spec: CliSpec<F>, argv: readonly string[]): ParseResult<F> {
  const options = Object.fromEntries([
    ...Object.entries(spec.flags).map(([name, f]) => [name, { type: f.type === "boolean" ? "boolean" : "string" }] as const),
    ["help", { type: "boolean", short: "h" }],
    ["version", { type: "boolean" }],
  ]) as Record<string, { type: "boolean" | "string"; short?: string }>;
  const dashes = argv.indexOf("--");
  const rest = dashes === -1 ? [] : argv.slice(dashes + 1);
  const own = dashes === -1 ? argv : argv.slice(0, dashes);
  const { tokens } = parseArgs({ args: [...own], options, strict: false, allowPositionals: true, tokens: true });
  const names = tokens.flatMap((t) => (t.kind === "option" ? [t.name] : []));
  if (names.includes("help")) return { kind: "help", text: formatHelp(spec) };
  if (names.includes("version")) return { kind: "version", text: packageVersion() };

  const seeHelp = `\`${spec.script} --help\` shows the usage`;
  const values: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec.flags)) values[name] = f.type === "boolean" ? false : f.default;
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") {
      if (!spec.positional || positionals.length > 0) throw new UsageError(`unexpected argument "${token.value}" (${seeHelp})`);
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== "option") continue;
    const flag = spec.flags[token.name];
    if (!flag || token.name === "help" || token.name === "version") {
      const near = closest(token.name, [...Object.keys(spec.flags), ...Object.keys(BUILT_IN)]);
      throw new UsageError(`unknown option ${token.rawName}${near ? `; did you mean --${near}?` : ` (${seeHelp})`}`);
    }
    if (flag.type === "boolean") {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value, got "${token.value}"`);
      values[token.name] = true;
      continue;
    }
    if (token.value === undefined || (token.value.startsWith("-") && token.value.length > 1 && !token.inlineValue)) {
      throw new UsageError(`${token.rawName} needs a value: --${token.name} ${flag.value}`);
    }
    if (flag.type === "integer") values[token.name] = toInteger(token.name, token.value, flag);
    else if (flag.type === "number") values[token.name] = toPositiveNumber(token.name, token.value);
    else if (flag.choices && !flag.choices.includes(token.value)) throw new UsageError(`--${token.name} must be one of ${flag.choices.join(", ")}, got "${token.value}"`);
    else values[token.name] = token.value;
  }
  if (rest.length > 0 && !spec.passThrough) throw new UsageError(`unexpected arguments after "--": ${rest.join(" ")} (${seeHelp})`);
  return { kind: "run", values: values as FlagValues<F>, positionals, rest };
}

function toInteger(name: string, raw: string, flag: { min?: number; max?: number }): number {
  const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  const min = flag.min ?? 0;
  const range = flag.max === undefined ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${flag.max}`;
  if (!Number.isSafeInteger(n) || n < min || (flag.max !== undefined && n > flag.max)) throw new UsageError(`--${name} must be ${range}, got "${raw}"`);
  return n;
}

function toPositiveNumber(name: string, raw: string): number {
  const n = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a number > 0, got "${raw}"`);
  return n;
}

/**
 * For standalone scripts (the emulator, benchmarks): the parsed values, or the process ends —
 * after printing --help / --version (exit 0) or a one-line usage error (exit 64).
 */
export function parseScriptArgs<F extends Flags>(spec: CliSpec<F>, argv: readonly string[] = process.argv.slice(2)): ParsedArgs<F> {
  try {
    const parsed = parseCli(spec, argv);
    if (parsed.kind === "run") return parsed;
    process.stdout.write(`${parsed.text}\n`);
    process.exit(0);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(64);
  }
}

export function formatHelp(spec: CliSpec): string {
  const rows: [string, string][] = Object.entries(spec.flags).map(([name, f]) => {
    const label = f.type === "boolean" ? `--${name}` : `--${name} ${f.value}`;
    const def = f.type !== "boolean" && f.default !== undefined ? ` (default ${f.default})` : "";
    return [label, `${f.description}${def}`];
  });
  rows.push(["-h, --help", BUILT_IN.help], ["--version", BUILT_IN.version]);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const usage = `${spec.script}${spec.positional ? ` [${spec.positional.name}]` : ""} [options]${spec.passThrough ? ` [-- ${spec.passThrough.name}]` : ""}`;
  return [
    `Usage: ${usage}`,
    "",
    spec.summary,
    ...(spec.positional ? ["", "Arguments:", `  ${spec.positional.name.padEnd(width)}${spec.positional.description}`] : []),
    ...(spec.passThrough ? ["", "After --:", `  ${spec.passThrough.name.padEnd(width)}${spec.passThrough.description}`] : []),
    "",
    "Options:",
    ...rows.map(([l, d]) => `  ${l.padEnd(width)}${d}`),
    "",
    "Example:",
    `  ${spec.example}`,
  ].join("\n");
}

/** The known name a typo most likely meant: the same name in another case, a small edit distance, or a unique prefix. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const sameLetters = candidates.find((c) => c.toLowerCase() === name.toLowerCase());
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.min(3, Math.floor(best.length / 3)))) return best;
  const prefixed = name.length >= 3 ? candidates.filter((c) => c.startsWith(name)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Optimal string alignment distance: a swapped pair of letters (`--prot`) counts as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

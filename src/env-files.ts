// `.env.local` and `.env`, read by our own small parser: process.loadEnvFile needs Node ≥ 20.12,
// and prisma.config.ts must read the same files the same way as the CLI.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Earlier files win: process env > .env.local > .env (Next.js keeps Clerk keys in .env.local). */
export const ENV_FILES = [".env.local", ".env"] as const;

/**
 * Parses dotenv text: `KEY=value`, optional `export `, `#` comments (whole-line, or after an
 * unquoted value), values in '…' (literal), "…" (\n, \t, \", \\ escapes; may span lines) or `…`.
 */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const key = m[1]!;
    let rest = m[2]!;
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === "`") {
      // A quoted value may span lines until its closing quote.
      let body = rest.slice(1);
      let end = closingQuote(body, quote);
      while (end === -1 && i + 1 < lines.length) {
        body += `\n${lines[++i]}`;
        end = closingQuote(body, quote);
      }
      const raw = end === -1 ? body : body.slice(0, end);
      out[key] = quote === '"' ? raw.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: "\n", r: "\r", t: "\t" })[c] ?? c) : raw;
      continue;
    }
    const comment = rest.search(/\s#/);
    if (comment !== -1) rest = rest.slice(0, comment);
    out[key] = rest.trim();
  }
  return out;
}

function closingQuote(s: string, quote: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && quote === '"') i++;
    else if (s[i] === quote) return i;
  }
  return -1;
}

/** Sets every variable of `.env.local` and `.env` in `rootDir` that `env` does not have yet; returns the files read. */
export function loadEnvFiles(rootDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const read: string[] = [];
  for (const name of ENV_FILES) {
    const file = path.join(rootDir, name);
    if (!existsSync(file)) continue;
    read.push(file);
    for (const [key, value] of Object.entries(parseDotEnv(readFileSync(file, "utf8")))) {
      if (env[key] === undefined) env[key] = value;
    }
  }
  return read;
}

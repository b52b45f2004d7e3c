import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { findConfigFile } from "../app-config.ts";
import { ConfigError, EXIT } from "../errors.ts";
import { guessMapping } from "../init/guess-mapping.ts";
import { parsePrismaModels } from "../init/prisma-schema.ts";
import { renderConfig } from "../init/render-config.ts";
import { defineCommand } from "./context.ts";

/** The app's schema text: prisma/schema.prisma, or every .prisma file of a schema folder. */
function readSchema(rootDir: string, given?: string): { path: string; text: string } {
  const candidates = given ? [path.resolve(rootDir, given)] : [path.join(rootDir, "prisma/schema.prisma"), path.join(rootDir, "prisma/schema"), path.join(rootDir, "schema.prisma")];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new ConfigError(`No Prisma schema at ${candidates.map((c) => path.relative(rootDir, c)).join(", ")}: pass --schema <file or folder>.`);
  if (!statSync(found).isDirectory()) return { path: found, text: readFileSync(found, "utf8") };
  const files = readdirSync(found, { recursive: true }).map(String).filter((f) => f.endsWith(".prisma"));
  return { path: found, text: files.map((f) => readFileSync(path.join(found, f), "utf8")).join("\n") };
}

/** Reads the app's Prisma schema, guesses the mapping, writes clerk-resync.config.ts. */
export const initCommand = defineCommand({
  spec: {
    flags: {
      schema: { type: "string", value: "PATH", description: "The Prisma schema file or folder (default: prisma/schema.prisma)" },
      force: { type: "boolean", description: "Overwrite an existing clerk-resync.config.ts" },
      "dry-run": { type: "boolean", description: "Print the configuration instead of writing it" },
    },
    example: "clerk-resync init",
  },
  async run(ctx, { values }) {
    const root = ctx.config.rootDir;
    const schema = readSchema(root, values.schema as string | undefined);
    const guess = guessMapping(parsePrismaModels(schema.text));
    const text = renderConfig(guess, path.relative(root, schema.path));
    const target = path.join(root, "clerk-resync.config.ts");
    const existing = findConfigFile(root);
    if (!values["dry-run"]) {
      if (existing && !values.force) throw new ConfigError(`${path.basename(existing)} exists: pass --force to replace it, or --dry-run to see what init would write.`);
      writeFileSync(target, text);
    }
    if (ctx.out.json) ctx.out.result({ written: values["dry-run"] ? null : target, models: guess.models, mapping: guess.mapping ?? null, guessed: guess.guessed, todo: guess.todo, scoped: guess.scoped });
    else {
      if (values["dry-run"]) ctx.out.line(text);
      ctx.out.line(`Guessed:\n${guess.guessed.map((l) => `  ${l}`).join("\n") || "  nothing"}`);
      if (guess.todo.length) ctx.out.line(`\nTo do before the first resync:\n${guess.todo.map((l) => `  - ${l}`).join("\n")}`);
      if (!values["dry-run"]) ctx.out.line(`\nWrote ${path.relative(process.cwd(), target) || target}. Next: clerk-resync resync --dry-run`);
    }
    return EXIT.ok;
  },
});

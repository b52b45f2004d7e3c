// The clerk-resync.config.ts that `init` writes: the guessed mapping, with what was guessed and
// what is left to do as comments a person reviews.
import type { Guess } from "./guess-mapping.ts";

const comment = (lines: readonly string[], indent = "") => lines.map((l) => `${indent}// ${l}`).join("\n");

export function renderConfig(guess: Guess, schemaPath: string): string {
  const out = [
    `// Written by \`clerk-resync init\` from ${schemaPath}. Review it, then run \`clerk-resync resync --dry-run\``,
    `// to see what maps where. Reference: clerk-resync's docs/configuration.md.`,
    `import { defineConfig } from "clerk-resync/config";`,
    "",
  ];
  if (guess.guessed.length) out.push("// Guessed:", comment(guess.guessed.map((l) => `  ${l}`)), "");
  if (guess.todo.length) out.push("// TO DO before the first resync:", comment(guess.todo.map((l) => `  - ${l}`)), "");
  if (guess.scoped.length) out.push("// Rows that belong to a user or an organization (a reset keeps them, ids included):", comment(guess.scoped.map((l) => `  ${l}`)), "");
  const object = (v: unknown) => JSON.stringify(v, null, 2).replace(/\n/g, "\n  ").replace(/"(\w+)":/g, "$1:");
  const blocks = [guess.mapping ? `  mirror: ${object(guess.mapping)},` : "  // Your models are clerk-resync's own shape: no mirror mapping needed."];
  if (Object.keys(guess.tables).length) blocks.push(`  tables: ${object(guess.tables)},`);
  if (guess.unowned.length) {
    blocks.push(
      "  // Tables that belong to no user or organization: a reset refuses to start while one has rows,",
      "  // until it is classified in `tables`: \"keep\" (restored whole), \"seeded\" (the seed makes it) or \"disposable\".",
      `  //   ${guess.unowned.map((t) => `${JSON.stringify(t)}: "keep"`).join(", ")}`,
    );
  }
  out.push(`export default defineConfig({\n${blocks.join("\n")}\n});\n`);
  return out.join("\n");
}

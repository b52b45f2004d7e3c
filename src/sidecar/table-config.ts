// The app's one word on tables that are neither Clerk's nor owned by a user or organization:
// `"clerkResync": { "tables": { "McpServer": "seeded" } }` in package.json.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import type { TableClassName } from "./classify.ts";

const tableClasses = z.record(z.string().min(1), z.enum(["seeded", "keep", "disposable"]));
const packageJson = z.object({ clerkResync: z.object({ tables: tableClasses.default({}) }).optional() });

export function readTableClasses(rootDir: string): Record<string, TableClassName> {
  const file = path.join(rootDir, "package.json");
  if (!existsSync(file)) return {};
  const parsed = packageJson.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`package.json "clerkResync" is invalid (${problems}); each table is "seeded", "keep" or "disposable"`);
  }
  return parsed.data.clerkResync?.tables ?? {};
}

import type { JsonText } from "./rows.ts";

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  // No prototype: a "__proto__" or "constructor" key is then an own key like any other, kept as data.
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * JSON text with object keys sorted at every level: Clerk's JSON and PostgreSQL's jsonb order keys
 * differently, and the plan compares metadata as strings.
 */
export function canonicalJson(value: unknown): JsonText {
  // Most metadata is empty: skip the copy.
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    let empty = true;
    for (const _ in value) {
      empty = false;
      break;
    }
    if (empty) return "{}";
  }
  return JSON.stringify(sortKeys(value));
}

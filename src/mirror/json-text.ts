import type { JsonText } from "./rows.ts";

/** Up to this many keys, an insertion sort: no work arrays. Past it, its quadratic cost would show. */
const INSERTION_SORT_MAX = 16;

/** An object's keys in code-unit order (what `sort()` gives). Metadata has a few keys. */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    if (keys[j]! <= key) continue;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/** JSON.stringify's text, keys sorted, written straight out: no sorted copy of the value is built. */
function write(input: unknown): string | undefined {
  // Like JSON.stringify, toJSON once (a Date), and its result as it is.
  const value = input !== null && typeof input === "object" && typeof (input as { toJSON?: unknown }).toJSON === "function" ? (input as { toJSON(): unknown }).toJSON() : input;
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i ? "," : "") + (write(value[i]) ?? "null");
    return `${out}]`;
  }
  let out = "";
  for (const key of sortedKeys(value)) {
    const text = write((value as Record<string, unknown>)[key]);
    if (text !== undefined) out += `${out ? "," : ""}${JSON.stringify(key)}:${text}`;
  }
  return `{${out}}`;
}

/**
 * JSON text with object keys sorted at every level: Clerk's JSON and PostgreSQL's jsonb order keys
 * differently, and the plan compares metadata as strings.
 */
export function canonicalJson(value: unknown): JsonText {
  // Most metadata is empty.
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    let empty = true;
    for (const _ in value) {
      empty = false;
      break;
    }
    if (empty) return "{}";
  }
  return write(value) as JsonText;
}

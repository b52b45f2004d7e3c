import { paramInvalid } from "./errors.ts";

/** Query access the way Clerk reads it: repeated keys (and `key[]`) form arrays; the first value wins otherwise. */
export class Query {
  constructor(private readonly params: URLSearchParams) {}

  first(name: string): string | undefined {
    return this.params.get(name) ?? this.params.get(`${name}[]`) ?? undefined;
  }

  all(name: string): string[] {
    return [...this.params.getAll(name), ...this.params.getAll(`${name}[]`)].flatMap((v) => v.split(",")).filter((v) => v !== "");
  }

  bool(name: string): boolean {
    return this.first(name) === "true";
  }

  /** `limit`: default 10, 1..500 (CONTRACT.md §1). */
  limit(): number {
    return this.intParam("limit", 10, 1, 500);
  }

  /** `offset`: default 0; the SDK never sends offset=0, so absence must work. */
  offset(): number {
    return this.intParam("offset", 0, 0, Number.MAX_SAFE_INTEGER);
  }

  private intParam(name: string, fallback: number, min: number, max: number): number {
    const raw = this.first(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw paramInvalid(name, `${name} must be an integer between ${min} and ${max === Number.MAX_SAFE_INTEGER ? "∞" : max}, got "${raw}"`);
    }
    return n;
  }
}

/** Splits ±-prefixed id filters (`user_id=+a&user_id=-b`) into include and exclude sets. */
export function plusMinus(values: string[]): { include: Set<string>; exclude: Set<string> } {
  const include = new Set<string>();
  const exclude = new Set<string>();
  for (const v of values) {
    if (v.startsWith("-")) exclude.add(v.slice(1));
    else include.add(v.replace(/^\+/, ""));
  }
  if (include.size + exclude.size > 100) throw paramInvalid("filter", "at most 100 values may be given per filter");
  return { include, exclude };
}

export function page<T>(items: readonly T[], offset: number, limit: number): T[] {
  return items.slice(offset, offset + limit);
}

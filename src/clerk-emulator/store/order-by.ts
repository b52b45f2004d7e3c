import { paramInvalid } from "../errors.ts";

export type Comparator<T> = (a: T, b: T) => number;

function compareNullable(a: string | number | null | undefined, b: string | number | null | undefined): number {
  // Nulls sort last whatever the direction of the non-null values.
  if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parses `order_by` (`+field`, `-field`, `field`) against the allowed fields; ties break by id. */
export function parseOrderBy<T extends { id: string }>(
  raw: string | undefined,
  fallback: string,
  fields: Record<string, (x: T) => string | number | null | undefined>,
): { key: string; compare: Comparator<T> } {
  const value = raw ?? fallback;
  const desc = value.startsWith("-");
  const field = value.replace(/^[+-]/, "");
  const get = fields[field];
  if (!get) throw paramInvalid("order_by", `order_by "${value}" is invalid; allowed: ${Object.keys(fields).join(", ")}`);
  const sign = desc ? -1 : 1;
  return {
    key: `${desc ? "-" : "+"}${field}`,
    compare: (a, b) => {
      const va = get(a);
      const vb = get(b);
      if (va == null || vb == null) {
        const c = compareNullable(va, vb);
        if (c !== 0) return c;
      } else {
        const c = compareNullable(va, vb) * sign;
        if (c !== 0) return c;
      }
      return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign;
    },
  };
}

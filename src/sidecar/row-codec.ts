// How a column's value travels through the sidecar exactly: its text form for everything that
// JSON would round (decimals, 64-bit integers, bytes, arrays, timestamps), JSON for json/jsonb.
// Restore casts the text back to the column's type, so nothing is lost on the way.
import type { CatalogColumn } from "./catalog.ts";

export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

const isJson = (type: string) => type === "json" || type === "jsonb";
const AS_IS = /^(boolean|smallint|integer)$/;

/** The SELECT expression that reads `alias.column` in its sidecar form. */
export function readExpr(column: CatalogColumn, alias: string): string {
  const c = `${alias}.${quote(column.name)}`;
  if (isJson(column.type) || AS_IS.test(column.type)) return c;
  if (column.type.startsWith("timestamp") && column.type.endsWith("with time zone")) {
    return `CASE WHEN isfinite(${c}) THEN to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE ${c}::text END`;
  }
  if (column.type.startsWith("timestamp")) return `CASE WHEN isfinite(${c}) THEN to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS.US') ELSE ${c}::text END`;
  return `${c}::text`;
}

/** `{"name": …}`: a row's unique key as a JSON object, each value in its sidecar form. */
export const keyObject = (columns: readonly CatalogColumn[], alias: string) =>
  `json_build_object(${columns.map((c) => `'${c.name.replaceAll("'", "''")}', ${readExpr(c, alias)}`).join(", ")})`;

/** The column list for `jsonb_to_recordset(...) AS x(<this>)`: JSON stays JSON, the rest arrives as text. */
export const recordsetColumn = (column: CatalogColumn) => `${quote(column.name)} ${isJson(column.type) ? "jsonb" : "text"}`;

/** `alias.column` cast back to the column's own type. */
export const castExpr = (column: CatalogColumn, alias: string) => `${alias}.${quote(column.name)}::${column.type}`;

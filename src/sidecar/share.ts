// What a sidecar file may carry. A Clerk secret key never reaches any file, not even a private
// backup: it is redacted and listed. A file meant for committing (`db:backup --share`) also goes
// through the tool's whole redaction rule (URL passwords, signing secrets) and leaves out values
// that look like secrets (service tokens, passwords), listing them so a newcomer knows what to
// re-enter; local backups keep those, so a reset loses nothing.
import { redactClerkKeys, redactSecrets } from "../redact.ts";
import type { Json, Sidecar, SidecarRow } from "./format.ts";
import { SECRET_NAME, stripSecrets } from "./secrets.ts";

/** Applies `value` to every value of every row; `where` names the value for the list of what changed. */
function mapValues(sidecar: Sidecar, reason: Sidecar["reason"], value: (v: Json, column: string, json: boolean, where: string, stripped: string[]) => Json): Sidecar {
  const stripped: string[] = [];
  const tables: Sidecar["tables"] = {};
  for (const [name, entry] of Object.entries(sidecar.tables)) {
    tables[name] = {
      ...entry,
      rows: entry.rows.map((row, i) => {
        const out: SidecarRow = {};
        for (const [col, v] of Object.entries(row)) {
          const type = entry.columns[col] ?? "";
          out[col] = col in entry.references ? v : value(v, col, type === "json" || type === "jsonb", `${name}[${rowLabel(row, i)}].${col}`, stripped);
        }
        return out;
      }),
    };
  }
  return { ...sidecar, reason, strippedSecrets: [...sidecar.strippedSecrets, ...stripped], tables };
}

function redactDeep(v: Json, where: string, stripped: string[], rule: (text: string) => string = redactSecrets): Json {
  if (typeof v === "string") {
    const clean = rule(v);
    if (clean !== v) stripped.push(where);
    return clean;
  }
  if (Array.isArray(v)) return v.map((x, i) => redactDeep(x, `${where}.${i}`, stripped, rule));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x, `${where}.${k}`, stripped, rule)]));
  return v;
}

export function withoutClerkKeys(sidecar: Sidecar): Sidecar {
  return mapValues(sidecar, sidecar.reason, (v, _col, _json, where, stripped) => redactDeep(v, where, stripped, redactClerkKeys));
}

export function shareableSidecar(sidecar: Sidecar): Sidecar {
  return mapValues(sidecar, "share", (v, col, json, where, stripped) => {
    if (SECRET_NAME.test(col) && v !== null) {
      stripped.push(where);
      return null;
    }
    if (json && v && typeof v === "object" && !Array.isArray(v)) return redactDeep(stripSecrets(v, where, stripped) as Json, where, stripped);
    return redactDeep(v, where, stripped);
  });
}

/** Who a row belongs to, for the list of what to re-enter. */
function rowLabel(row: SidecarRow, index: number): string {
  const owner = ["organizationId", "userId", "id"].map((c) => row[c]).find((v) => typeof v === "string");
  return owner ? `${owner}#${index}` : `#${index}`;
}

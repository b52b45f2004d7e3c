// The file meant for committing (`db:backup --share`): local backups keep every value, but a
// shared one leaves out what looks like a secret and lists it, so a newcomer knows what to re-enter.
import { redactSecrets } from "../redact.ts";
import type { Json, Sidecar, SidecarRow } from "./format.ts";
import { SECRET_NAME, stripSecrets } from "./secrets.ts";

export function shareableSidecar(sidecar: Sidecar): Sidecar {
  const stripped: string[] = [];
  const tables: Sidecar["tables"] = {};
  for (const [name, entry] of Object.entries(sidecar.tables)) {
    tables[name] = {
      ...entry,
      rows: entry.rows.map((row, i) => {
        const where = `${name}[${rowLabel(row, i)}]`;
        const out: SidecarRow = {};
        for (const [col, value] of Object.entries(row)) {
          const type = entry.columns[col] ?? "";
          if (SECRET_NAME.test(col) && value !== null && !(col in entry.references)) {
            stripped.push(`${where}.${col}`);
            out[col] = null;
          } else if (type === "json" || type === "jsonb") out[col] = stripJson(value, `${where}.${col}`, stripped);
          else out[col] = typeof value === "string" ? redactSecrets(value) : value;
        }
        return out;
      }),
    };
  }
  return { ...sidecar, reason: "share", strippedSecrets: [...sidecar.strippedSecrets, ...stripped], tables };
}

function stripJson(value: Json, path: string, stripped: string[]): Json {
  if (value && typeof value === "object" && !Array.isArray(value)) return stripSecrets(value, path, stripped) as Json;
  return typeof value === "string" ? redactSecrets(value) : value;
}

/** Who a row belongs to, for the list of what to re-enter. */
function rowLabel(row: SidecarRow, index: number): string {
  const owner = ["organizationId", "userId", "id"].map((c) => row[c]).find((v) => typeof v === "string");
  return owner ? `${owner}#${index}` : `#${index}`;
}

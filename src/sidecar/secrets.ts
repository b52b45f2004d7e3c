import { redactSecrets } from "../redact.ts";

export const SECRET_NAME = /secret|token|password|passwd|api[_-]?key|private[_-]?key|credential|^auth(orization)?$/i;

/**
 * Service configs may carry credentials; the sidecar must not. Fields whose name looks secret are
 * left out (and listed, so the report can say what to re-enter); other strings go through the
 * redaction rule (src/redact.ts): keys, signing secrets, URL passwords.
 */
export function stripSecrets(config: Record<string, unknown>, path: string, stripped: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (SECRET_NAME.test(k)) {
      stripped.push(`${path}.${k}`);
      continue;
    }
    if (Array.isArray(v)) out[k] = v.map((x, i) => (x && typeof x === "object" && !Array.isArray(x) ? stripSecrets(x as Record<string, unknown>, `${path}.${k}.${i}`, stripped) : typeof x === "string" ? redactSecrets(x) : x));
    else if (v && typeof v === "object") out[k] = stripSecrets(v as Record<string, unknown>, `${path}.${k}`, stripped);
    else if (typeof v === "string") out[k] = redactSecrets(v);
    else out[k] = v;
  }
  return out;
}

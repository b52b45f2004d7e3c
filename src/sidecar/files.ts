import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseSidecar, SidecarFormatError, type Sidecar } from "./format.ts";

export const LATEST_BACKUP = "latest-backup.json";

/** Temp file + rename in the same folder: a reader never sees half a file, and a failed write leaves none. */
export function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function stamp(iso: string): string {
  return iso.replace(/[:.]/g, "-");
}

/**
 * Writes `<prefix>-<iso>.json` in `dir` (or exactly `out`), reads it back and validates it, so a
 * backup that would not restore is caught before anything is destroyed. `latest` also updates
 * latest-backup.json.
 */
export function writeSidecarFile(sidecar: Sidecar, options: { dir: string; out?: string; prefix?: string; latest?: boolean }): string {
  const text = `${JSON.stringify(sidecar, null, 2)}\n`;
  const file = options.out ? path.resolve(options.out) : path.join(options.dir, `${options.prefix ?? "backup"}-${stamp(sidecar.createdAt)}.json`);
  writeAtomic(file, text);
  const reread = readSidecarFile(file);
  if (JSON.stringify(reread) !== JSON.stringify(sidecar)) throw new SidecarFormatError(`${file} did not read back identically; the disk may be full`);
  if (options.latest) writeAtomic(path.join(options.dir, LATEST_BACKUP), text);
  return file;
}

export function readSidecarFile(file: string): Sidecar {
  if (!existsSync(file)) throw new SidecarFormatError(`${file} does not exist; \`ls\` the backups folder or pass a file to \`pnpm db:restore <file>\``);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new SidecarFormatError(`${file} is not valid JSON (${(err as Error).message}); nothing was restored`);
  }
  return parseSidecar(data, file);
}

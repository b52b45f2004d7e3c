import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { identitySlug } from "../db/identity.ts";
import { parseSidecar, SidecarFormatError, type Sidecar } from "./format.ts";

/** The latest backup of one database: each database has its own, so a reset of another never replaces it. */
export const latestBackupFile = (dir: string, database: string) => path.join(dir, `latest-${identitySlug(database)}.json`);

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
 * backup that would not restore is caught before anything is destroyed. `latest` also makes it
 * the latest backup of the database the file names (it must name one).
 */
export function writeSidecarFile(sidecar: Sidecar, options: { dir: string; out?: string; prefix?: string; latest?: boolean }): string {
  if (options.latest && !sidecar.database) throw new SidecarFormatError("a backup that names no database cannot be made the latest backup");
  const text = `${JSON.stringify(sidecar, null, 2)}\n`;
  const file = options.out ? path.resolve(options.out) : path.join(options.dir, `${options.prefix ?? "backup"}-${stamp(sidecar.createdAt)}.json`);
  writeAtomic(file, text);
  const reread = readSidecarFile(file);
  if (JSON.stringify(reread) !== JSON.stringify(sidecar)) throw new SidecarFormatError(`${file} did not read back identically; the disk may be full`);
  if (options.latest) writeAtomic(latestBackupFile(options.dir, sidecar.database!), text);
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

/** This database's latest backup; a file that names no database, or another one, is refused. */
export function readLatestBackup(dir: string, database: string): { file: string; sidecar: Sidecar } {
  const file = latestBackupFile(dir, database);
  if (!existsSync(file)) throw new SidecarFormatError(`No backup of ${database} in ${dir} (${path.basename(file)}); run \`pnpm db:backup\` first, or pass a file to \`pnpm db:restore <file>\``);
  const sidecar = readSidecarFile(file);
  if (sidecar.database !== database) {
    throw new SidecarFormatError(`${file} ${sidecar.database ? `was written for ${sidecar.database}` : "names no database"}, not ${database}; nothing was restored. Pass the file you mean: \`pnpm db:restore <file>\``);
  }
  return { file, sidecar };
}

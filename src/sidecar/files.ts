import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { identitySlug } from "../db/identity.ts";
import { ConfigError } from "../errors.ts";
import { onPath, type FileUse } from "../fs-errors.ts";
import { parseJson, readTextFile } from "../json-file.ts";
import { parseSidecar, SidecarFormatError, type Sidecar } from "./format.ts";

/** The latest backup of one database: each database has its own, so a reset of another never replaces it. */
export const latestBackupFile = (dir: string, database: string) => path.join(dir, `latest-${identitySlug(database)}.json`);

/** How the backups folder is named in messages, and the way around an unusable one. */
export const BACKUPS_FOLDER = "the backups folder";
export const SIDECAR_DIR_INSTEAD = "or point CLERK_RESYNC_SIDECAR_DIR at a writable folder";

/** How a failed write is explained: what the file is, what is true after it, and a way around it. */
export type WriteUse = Pick<FileUse, "what" | "outcome" | "instead"> & {
  /** What the file's folder is to the user ("the backups folder"); default "the folder of <what>". */
  folder?: string;
};

/** Temp file + rename in the same folder: a reader never sees half a file, and a failed write leaves none. */
export function writeAtomic(file: string, text: string, use: WriteUse): void {
  const dir = path.dirname(file);
  onPath({ ...use, what: use.folder ?? `the folder of ${use.what}`, path: dir, action: "write" }, () => mkdirSync(dir, { recursive: true }));
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  onPath({ ...use, path: file, action: "write" }, () => {
    try {
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, file);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  });
}

function stamp(iso: string): string {
  return iso.replace(/[:.]/g, "-");
}

/** A folder where the file should go fails the rename only after the whole file is written: refuse it first. */
function refuseFolderAt(file: string, use: WriteUse): void {
  onPath({ ...use, path: file, action: "write" }, () => {
    if (existsSync(file) && statSync(file).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
  });
}

export interface SidecarWriteOptions {
  dir: string;
  out?: string;
  prefix?: string;
  latest?: boolean;
  /** What is true if the write fails (default: nothing was changed). */
  outcome?: string;
}

/**
 * Writes `<prefix>-<iso>.json` in `dir` (or exactly `out`), reads it back and validates it, so a
 * backup that would not restore is caught before anything is destroyed. `latest` also makes it
 * the latest backup of the database the file names (it must name one). All or nothing: if the
 * latest backup cannot be written, the new file is removed again.
 */
export function writeSidecarFile(sidecar: Sidecar, options: SidecarWriteOptions): string {
  if (options.latest && !sidecar.database) throw new SidecarFormatError("a backup that names no database cannot be made the latest backup");
  const text = `${JSON.stringify(sidecar, null, 2)}\n`;
  const file = options.out ? path.resolve(options.out) : path.join(options.dir, `${options.prefix ?? "backup"}-${stamp(sidecar.createdAt)}.json`);
  const outcome = options.outcome ?? "nothing was changed";
  const instead = options.out ? "or write elsewhere with `--out FILE`" : SIDECAR_DIR_INSTEAD;
  const folder = options.out ? undefined : BACKUPS_FOLDER;
  const latest = options.latest ? latestBackupFile(options.dir, sidecar.database!) : undefined;
  if (latest) refuseFolderAt(latest, { what: "the latest backup", outcome, instead });
  writeAtomic(file, text, { what: "the backup", outcome, instead, folder });
  try {
    const reread = readSidecarFile(file, { maxBytes: Infinity });
    if (JSON.stringify(reread) !== JSON.stringify(sidecar)) throw new SidecarFormatError(`${file} did not read back identically; the disk may be full; ${outcome}`);
    if (latest) writeAtomic(latest, text, { what: "the latest backup", outcome, instead, folder });
  } catch (err) {
    rmSync(file, { force: true });
    throw err;
  }
  return file;
}

/** Sidecars larger than this are refused before they are read (CLERK_RESYNC_MAX_SIDECAR_MB). */
export const DEFAULT_MAX_SIDECAR_MB = 256;

export function maxSidecarBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CLERK_RESYNC_MAX_SIDECAR_MB?.trim();
  if (!raw) return DEFAULT_MAX_SIDECAR_MB * 1024 * 1024;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) throw new ConfigError(`CLERK_RESYNC_MAX_SIDECAR_MB must be a number of megabytes > 0, got "${raw}" (default ${DEFAULT_MAX_SIDECAR_MB})`);
  return Math.floor(mb * 1024 * 1024);
}

const NOTHING_RESTORED = "nothing was restored";
const RESTORE_INSTEAD = "or pass another file to `pnpm db:restore <file>`";

export function readSidecarFile(file: string, options: { maxBytes?: number } = {}): Sidecar {
  if (!existsSync(file)) throw new SidecarFormatError(`${file} does not exist; \`ls\` the backups folder or pass a file to \`pnpm db:restore <file>\``);
  const text = readTextFile({
    what: "the sidecar",
    path: file,
    outcome: NOTHING_RESTORED,
    instead: RESTORE_INSTEAD,
    maxBytes: options.maxBytes ?? maxSidecarBytes(),
    limitHint: "If the file is right, raise CLERK_RESYNC_MAX_SIDECAR_MB (in megabytes)",
  });
  const parsed = parseJson(text);
  if (!parsed.ok) {
    throw new SidecarFormatError(`${file} is ${parsed.problem}; ${NOTHING_RESTORED}. The file is damaged: restore another backup (\`pnpm db:restore <file>\`), or write a new one with \`pnpm db:backup\``);
  }
  return parseSidecar(parsed.value, file);
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

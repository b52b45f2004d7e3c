// Reading the JSON files the tool keeps (sidecars, journals) so every failure says which file and
// what is wrong with it: missing, a folder, too large (checked before reading, so a huge file is
// never loaded), unreadable, or not valid JSON at a line and column.
import { readFileSync, statSync } from "node:fs";
import { explainFsError, fileProblemMessage, FileError, type FileUse } from "./fs-errors.ts";

export type ReadUse = Omit<FileUse, "action"> & {
  /** Refuse files larger than this many bytes (default: no limit). */
  maxBytes?: number;
  /** What the limit is called, for the message: how to raise it. */
  limitHint?: string;
};

const MB = 1024 * 1024;
export const formatSize = (bytes: number) => (bytes >= MB ? `${(bytes / MB).toFixed(bytes >= 10 * MB ? 0 : 1)} MB` : `${bytes} bytes`);

/** The file's text; a FileError naming the file, the problem and `use.outcome` otherwise. */
export function readTextFile(use: ReadUse): string {
  const fail = (err: unknown): never => {
    const explained = explainFsError(err, { path: use.path, action: "read" });
    if (!explained) throw err;
    throw new FileError(fileProblemMessage({ ...use, action: "read" }, explained), { cause: err });
  };
  let size = 0;
  try {
    const stat = statSync(use.path);
    if (stat.isDirectory()) fail(Object.assign(new Error("is a directory"), { code: "EISDIR" }));
    size = stat.size;
  } catch (err) {
    if (err instanceof FileError) throw err;
    fail(err);
  }
  if (use.maxBytes !== undefined && size > use.maxBytes) {
    const outcome = use.outcome ? `; ${use.outcome}` : "";
    throw new FileError(
      `Cannot read ${use.what} ${use.path}: it is too large (${formatSize(size)}, over the limit of ${formatSize(use.maxBytes)})${outcome}. ${use.limitHint ?? "Use a smaller file"}${use.instead ? `, ${use.instead}` : ""}.`,
    );
  }
  try {
    return readFileSync(use.path, "utf8");
  } catch (err) {
    return fail(err);
  }
}

/** JSON.parse, or what is wrong with the text: "not valid JSON at line 7, column 12 (position 138): Unterminated string". */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    const position = at ? Number(at[1]) : /end of JSON input/.test(message) ? text.length : undefined;
    const reason = message.replace(/ in JSON at position \d+.*$| at position \d+.*$/, "").replace(/, ".*" is not valid JSON$/s, "");
    if (position === undefined) return { ok: false, problem: `not valid JSON (${reason})` };
    const before = text.slice(0, position);
    const line = before.split("\n").length;
    const column = position - before.lastIndexOf("\n");
    return { ok: false, problem: `not valid JSON at line ${line}, column ${column} (position ${position}): ${reason}` };
  }
}

// A marker that a reset is building a new database: the webhook receiver answers 503 meanwhile
// (Svix delivers again later, into the new database) and the watcher waits. Not a journal: a
// reset killed before its switch leaves nothing to finish, so a marker whose process is gone is ignored.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { isAlive } from "../db/lock-file.ts";
import { BACKUPS_FOLDER, SIDECAR_DIR_INSTEAD, writeAtomic } from "../sidecar/files.ts";

export const RESET_MARKER = "reset-under-way.json";

export interface ResetUnderWay {
  pid: number;
  startedAt: string;
}

export function markResetUnderWay(sidecarDir: string): () => void {
  const file = path.join(sidecarDir, RESET_MARKER);
  // The reset's first write: an unusable backups folder is refused here, before anything else.
  writeAtomic(file, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() } satisfies ResetUnderWay), {
    what: "the reset-under-way marker",
    folder: BACKUPS_FOLDER,
    outcome: "nothing was changed",
    instead: SIDECAR_DIR_INSTEAD,
  });
  return () => rmSync(file, { force: true });
}

export function readResetUnderWay(sidecarDir: string): ResetUnderWay | undefined {
  try {
    const marker = JSON.parse(readFileSync(path.join(sidecarDir, RESET_MARKER), "utf8")) as ResetUnderWay;
    return Number.isInteger(marker.pid) && isAlive(marker.pid) ? marker : undefined;
  } catch {
    return undefined;
  }
}

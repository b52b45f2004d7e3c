import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Who holds a lock file: written whole before the file appears, so a reader never sees half of it. */
export interface LockHolder {
  pid: number;
  /** The command, e.g. `db:reset` or `dev`. */
  command: string;
  /** ISO time the holder started. */
  started: string;
  /** `pnpm dev` only: the postgresql:// URL it serves the embedded database on. */
  url?: string;
}

export interface HeldLock {
  readonly file: string;
  /** Rewrites the holder record (dev adds its URL once the server listens). */
  update(holder: Partial<LockHolder>): void;
  release(): void;
}

export type LockAttempt = { acquired: true; lock: HeldLock } | { acquired: false; holder: LockHolder };

const held = new Set<HeldLock>();
let hooked = false;

/** A lock is stale when its process is gone (EPERM: alive, another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readLockHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as LockHolder;
    return Number.isInteger(h.pid) ? h : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes `file` if nobody alive holds it. The record is written to a temp file and hard-linked into
 * place: link() fails if the lock exists, so creation is atomic and never half-written. A lock
 * whose pid is dead is moved aside (rename is atomic: of two takers, one gets it) and retried.
 */
export function tryLockFile(file: string, command: string): LockAttempt {
  mkdirSync(path.dirname(file), { recursive: true });
  const mine: LockHolder = { pid: process.pid, command, started: new Date().toISOString().replace(/\.\d+Z$/, "Z") };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(mine));
  try {
    for (;;) {
      try {
        linkSync(tmp, file);
        return { acquired: true, lock: track(file, mine) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const holder = readLockHolder(file);
      if (holder && (holder.pid === process.pid || isAlive(holder.pid))) return { acquired: false, holder };
      if (!removeStale(file, holder)) continue;
    }
  } finally {
    unlinkSync(tmp);
  }
}

/** Moves a dead holder's lock aside; puts it back if a live process took the lock meanwhile. */
function removeStale(file: string, seen: LockHolder | undefined): boolean {
  const aside = `${file}.stale.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
  const moved = readLockHolder(aside);
  if (moved && seen && moved.pid !== seen.pid && isAlive(moved.pid)) {
    try {
      linkSync(aside, file);
    } catch {
      // Someone locked again in the meantime; theirs stands.
    }
  }
  unlinkSync(aside);
  return true;
}

function track(file: string, holder: LockHolder): HeldLock {
  let current = holder;
  const lock: HeldLock = {
    file,
    update(patch) {
      current = { ...current, ...patch };
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(current));
      renameSync(tmp, file);
    },
    release() {
      if (!held.delete(lock)) return;
      // Only remove the file if it is still ours (a stale takeover never hits a live holder).
      if (readLockHolder(file)?.pid === process.pid) unlinkSync(file);
    },
  };
  held.add(lock);
  hookExit();
  return lock;
}

/**
 * Locks go on exit, crash and Ctrl-C. For a signal nobody else handles, release and re-raise it
 * so the process still ends as a signal would end it; `pnpm dev` handles its own and releases in
 * its shutdown.
 */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const releaseAll = () => {
    for (const lock of [...held]) lock.release();
  };
  process.on("exit", releaseAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      releaseAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

import path from "node:path";
import { BusyError } from "../errors.ts";
import { onPath } from "../fs-errors.ts";
import type { Logger } from "../log.ts";
import { tryLockFile, type HeldLock, type LockHolder } from "./lock-file.ts";
import { pollUntil } from "./wait.ts";

/**
 * Only one process may open a PGlite data folder: two corrupt it. The lock file sits beside the
 * folder (`.data/pglite.lock`); `pnpm dev` records there the URL it serves the database on, so
 * other commands go through dev instead of opening the folder.
 */
export type EmbeddedAccess = { kind: "owner"; lock: HeldLock } | { kind: "served"; url: string; holder: LockHolder };

export function dataDirLockFile(dataDir: string): string {
  return path.join(path.dirname(dataDir), `${path.basename(dataDir)}.lock`);
}

export function describeHolder(h: LockHolder): string {
  return `${h.command}, pid ${h.pid}, started ${h.started}`;
}

export async function claimDataDir(dataDir: string, options: { command: string; serve?: boolean; wait?: boolean; log: Logger }): Promise<EmbeddedAccess> {
  const file = dataDirLockFile(dataDir);
  let holder: LockHolder | undefined;
  return pollUntil<EmbeddedAccess>(
    async () => {
      const got = onPath(
        { what: "the lock file of the embedded database", path: file, action: "write", outcome: "nothing was changed", instead: "or point CLERK_RESYNC_PGLITE_DIR at a writable folder (or set DATABASE_URL)" },
        () => tryLockFile(file, options.command),
      );
      if (got.acquired) return { kind: "owner", lock: got.lock };
      holder = got.holder;
      if (holder.url && !options.serve) {
        options.log.info({ url: holder.url, pid: holder.pid }, `the embedded database is served by \`pnpm dev\` (pid ${holder.pid}): using it through ${holder.url}`);
        return { kind: "served", url: holder.url, holder };
      }
      if (options.wait) return undefined;
      throw new BusyError(
        holder.url
          ? `The embedded database (${dataDir}) is already served by \`pnpm dev\` (pid ${holder.pid}) at ${holder.url}: use that one, or stop it first`
          : `The embedded database (${dataDir}) is in use by another process (${describeHolder(holder)}): wait for it to finish or stop it, or set DATABASE_URL to use another database`,
      );
    },
    () => options.log.info(`waiting for ${holder ? describeHolder(holder) : "another process"} to release the embedded database…`),
  );
}

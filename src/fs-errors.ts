// Filesystem failures as one line a user can act on: which path, what is wrong with it, what is
// true now and what to do. Node's own text ("ENOSPC: no space left on device, write") names no
// path and no fix. The errno → explanation mapping lives here and nowhere else.
import { statSync } from "node:fs";
import path from "node:path";
import { FileError } from "./errors.ts";

export { FileError };

/** How the tool was using a path when it failed; every field ends up in the message. */
export interface FileUse {
  /** What the path is to the user: "the backup", "the switch journal". */
  what: string;
  path: string;
  action: "read" | "write";
  /** What is true after the failure, e.g. "nothing was changed". */
  outcome?: string;
  /** A way around it that only the caller knows, e.g. "or point CLERK_RESYNC_SIDECAR_DIR at a writable folder". */
  instead?: string;
}

interface Explained {
  problem: string;
  fix: string;
}

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** The nearest ancestor of `p` (itself included) that exists but is not a folder: what blocks a mkdir. */
function blockingFile(p: string): string | undefined {
  for (let at = path.resolve(p); ; at = path.dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) return at;
      return undefined;
    } catch {
      if (path.dirname(at) === at) return undefined;
    }
  }
}

/** The explanation of an errno for a path, or undefined when the error is not one we can explain. */
export function explainFsError(err: unknown, use: Pick<FileUse, "path" | "action">): Explained | undefined {
  const where = path.dirname(use.path);
  switch (errnoOf(err)) {
    case "EEXIST":
    case "ENOTDIR": {
      const blocker = blockingFile((err as NodeJS.ErrnoException).path ?? use.path) ?? blockingFile(use.path);
      return {
        problem: blocker ? `${blocker} is a file, not a folder` : "a file is where a folder should be",
        fix: `move or rename ${blocker ?? "that file"}`,
      };
    }
    case "EISDIR":
      return { problem: `${use.path} is a folder, not a file`, fix: `move that folder aside (clerk-resync never writes a folder there)` };
    case "EROFS":
      return { problem: "it is on a read-only file system", fix: `remount ${where} read-write` };
    case "EACCES":
    case "EPERM":
      return {
        problem: `permission denied (${errnoOf(err)})`,
        fix: `give your user ${use.action} access (\`ls -ld ${where}\`, \`chmod u+${use.action === "read" ? "r" : "w"}\`), or clear an immutable flag (\`lsattr\`, \`chattr -i\`)`,
      };
    case "ENOSPC":
      return { problem: "the disk is full (no space left on device)", fix: `free some space (\`df -h ${where}\`) and run the command again` };
    case "EDQUOT":
      return { problem: "your disk quota is used up", fix: `free some space (\`quota\`, \`df -h ${where}\`) and run the command again` };
    case "ENOENT":
      return { problem: "it does not exist", fix: `check the path` };
    default:
      return undefined;
  }
}

/** The message for a failed use of a path: what, where, why, what is true now, what to do. */
export function fileProblemMessage(use: FileUse, explained: Explained): string {
  const outcome = use.outcome ? `; ${use.outcome}` : "";
  const fix = `${explained.fix.charAt(0).toUpperCase()}${explained.fix.slice(1)}${use.instead ? `, ${use.instead}` : ""}`;
  return `Cannot ${use.action} ${use.what} ${use.path}: ${explained.problem}${outcome}. ${fix}.`;
}

/** A FileError that says it all, or `err` itself when it is no filesystem error we know. */
export function toFileError(err: unknown, use: FileUse): unknown {
  if (err instanceof FileError) return err;
  const explained = explainFsError(err, use);
  return explained ? new FileError(fileProblemMessage(use, explained), { cause: err }) : err;
}

/** Runs a filesystem step, turning its errno into a FileError naming `use`. */
export function onPath<T>(use: FileUse, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw toFileError(err, use);
  }
}

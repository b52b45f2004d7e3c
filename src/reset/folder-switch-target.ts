// The embedded database: the new database is built in a sibling data folder by a second PGlite
// of this process (only one process may open a folder, and this one holds the lock of both), and
// the switch renames the folders under a journal.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { connectDatabase, type Database, type EmbeddedFolder } from "../db/database.ts";
import type { EmbeddedPostgres } from "../db/embedded-postgres.ts";
import { switchFolders } from "../db/folder-switch.ts";
import { SafetyError, StepError } from "../errors.ts";
import { changedTables, readFingerprint, type Fingerprint } from "./fingerprint.ts";
import type { BuildTarget, SwitchResult, Switcher, UndoResult } from "./target.ts";

export function folderNames(dir: string) {
  return { live: dir, build: `${dir}.build`, previous: `${dir}.previous`, note: `${dir}.previous.json` };
}

/** Drops a folder atomically first (a rename), so no half-deleted folder is ever mistaken for a database. */
function dropFolder(dir: string): void {
  if (!existsSync(dir)) return;
  const trash = `${dir}.trash-${process.pid}-${Date.now()}`;
  renameSync(dir, trash);
  rmSync(trash, { recursive: true, force: true });
}

export function folderSwitcher(live: Database & { folder: EmbeddedFolder }): Switcher {
  const names = folderNames(live.folder.dir);
  return {
    target: () => folderTarget(live, names),
    async undo(): Promise<UndoResult> {
      if (!existsSync(names.previous)) throw new SafetyError(`Nothing to undo: there is no previous database (${names.previous}). It is kept only until the next reset, and an undo uses it up.`);
      const resetAt = readNote(names.note);
      await live.folder.stopServer();
      const undone = `${live.folder.dir}.undone-${process.pid}-${Date.now()}`;
      switchFolders(live.folder.dir, [[names.live, undone], [names.previous, names.live]], [undone, names.note]);
      return { restored: `${names.live} as it was before the reset`, resetAt, closedSessions: 0 };
    },
  };
}

function folderTarget(live: Database & { folder: EmbeddedFolder }, names: ReturnType<typeof folderNames>): BuildTarget {
  let server: EmbeddedPostgres | undefined;
  let built: Database | undefined;
  const stop = async () => {
    await built?.close();
    await server?.stop();
    built = undefined;
    server = undefined;
  };
  return {
    name: names.build,
    async checkRights() {},
    async prepare() {
      dropFolder(names.build);
      const { startEmbeddedPostgres } = await import("../db/embedded-postgres.ts");
      server = await startEmbeddedPostgres(names.build);
      return server.url;
    },
    async open() {
      if (!server) throw new Error("the build folder is not prepared");
      built = await connectDatabase(server.url, true);
      return { ...built, close: async () => {} };
    },
    async switchIn(fingerprint: Fingerprint, keepPrevious: boolean): Promise<SwitchResult> {
      // This process holds the folder lock: nothing else can have written. Checked all the same.
      const changed = changedTables(fingerprint, await readFingerprint(live.pool));
      if (changed.length) throw new StepError(`The live database changed while the new one was built (${changed.join(", ")}); nothing was changed.`, "run pnpm db:reset again");
      await stop();
      await live.folder.stopServer();
      dropFolder(names.previous);
      writeFileSync(names.note, JSON.stringify({ resetAt: new Date().toISOString() }));
      switchFolders(names.live, [[names.live, names.previous], [names.build, names.live]], keepPrevious ? [] : [names.previous, names.note]);
      return { previous: keepPrevious ? names.previous : null, closedSessions: 0 };
    },
    async discard() {
      await stop();
      dropFolder(names.build);
    },
  };
}

function readNote(file: string): string | null {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { resetAt?: string }).resetAt ?? null;
  } catch {
    return null;
  }
}

// Folder renames that must happen together (a reset's switch, an undo), journaled: the journal is
// written before the first rename and removed after the last, and whoever opens the folder next
// replays what is left. Each rename is atomic and replaying one already done is a no-op.
import { existsSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { FileError, StepError } from "../errors.ts";
import { parseJson, readTextFile } from "../json-file.ts";
import type { Logger } from "../log.ts";
import { writeAtomic } from "../sidecar/files.ts";

const journalSchema = z.object({
  format: z.literal("clerk-resync-folder-switch"),
  /** Which database (the live folder) the switch is for. */
  database: z.string().min(1),
  startedAt: z.string(),
  /** [from, to] pairs, in order. */
  renames: z.array(z.tuple([z.string(), z.string()])),
  /** Folders dropped once the renames are done. */
  remove: z.array(z.string()),
});
export type FolderSwitch = z.infer<typeof journalSchema>;

export const switchJournalFile = (liveDir: string) => `${path.resolve(liveDir)}.switch.json`;

/** Renames, then removals, journaled so that a kill at any point is finished by the next opener. */
export function switchFolders(liveDir: string, renames: [string, string][], remove: string[]): void {
  const journal: FolderSwitch = { format: "clerk-resync-folder-switch", database: path.resolve(liveDir), startedAt: new Date().toISOString(), renames, remove };
  writeAtomic(switchJournalFile(liveDir), `${JSON.stringify(journal, null, 2)}\n`, {
    what: "the switch journal",
    folder: "the folder that holds the embedded database",
    outcome: "no folder was switched",
    instead: "or point CLERK_RESYNC_PGLITE_DIR at a writable folder",
  });
  replay(journal);
  rmSync(switchJournalFile(liveDir), { force: true });
}

/** Finishes a switch a killed process left (nothing when there is none). */
export function finishFolderSwitch(liveDir: string, log: Logger): void {
  const file = switchJournalFile(liveDir);
  if (!existsSync(file)) return;
  const byHand = `look at the folders beside ${liveDir} (.build, .previous): move the one to keep to ${liveDir}, then delete ${file} and run the command again`;
  const unusable = (problem: string, cause?: unknown) =>
    new StepError(`${file} (the journal of an interrupted switch of the embedded database) is ${problem}; nothing was changed`, byHand, { cause });
  let text: string;
  try {
    text = readTextFile({ what: "the switch journal", path: file, outcome: "nothing was changed" });
  } catch (err) {
    // Unreadable (permissions, a folder): the FileError says why; finishing by hand is the same.
    throw err instanceof FileError ? new StepError(err.message, byHand, { cause: err }) : err;
  }
  const json = parseJson(text);
  if (!json.ok) throw unusable(json.problem);
  const parsed = journalSchema.safeParse(json.value);
  if (!parsed.success) throw unusable(`not a switch journal (${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "top level"}: ${i.message}`).join("; ")})`);
  const journal: FolderSwitch = parsed.data;
  if (journal.database !== path.resolve(liveDir)) throw new StepError(`${file} is for ${journal.database}, not ${path.resolve(liveDir)}; nothing was changed`, `delete ${file} if that folder no longer matters`);
  log.warn({ journal: file, startedAt: journal.startedAt }, "finishing the switch of the embedded database that an earlier command started");
  replay(journal);
  rmSync(file, { force: true });
}

function replay(journal: FolderSwitch): void {
  for (const [from, to] of journal.renames) if (existsSync(from) && !existsSync(to)) renameSync(from, to);
  for (const dir of journal.remove) rmSync(dir, { recursive: true, force: true });
}

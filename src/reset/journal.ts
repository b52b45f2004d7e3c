// The reset journal: written before the wipe, it says a reset is under way and which backup it
// depends on. Whatever stops the reset (Ctrl-C, a crash, Clerk down), the next command finishes
// it from that backup instead of backing up the now-empty database. Only a verified reset clears it.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { StepError } from "../errors.ts";
import { writeAtomic } from "../sidecar/files.ts";

export const JOURNAL_FILE = "reset-journal.json";

const journalSchema = z.object({
  format: z.literal("clerk-resync-reset-journal"),
  startedAt: z.string(),
  pid: z.number(),
  /** The validated sidecar this reset restores from. */
  backup: z.string(),
  instanceId: z.string(),
  /** Which database was being reset (host:port/name, or the embedded data folder). */
  database: z.string().optional(),
  /** The step under way: "wipe" until the migrate reset finished, then "resync", "restore". */
  step: z.enum(["wipe", "resync", "restore"]),
  before: z.object({ users: z.number(), organizations: z.number(), memberships: z.number() }),
});

export type ResetJournal = z.infer<typeof journalSchema>;

export const journalPath = (sidecarDir: string) => path.join(sidecarDir, JOURNAL_FILE);

export function readJournal(sidecarDir: string): ResetJournal | undefined {
  const file = journalPath(sidecarDir);
  if (!existsSync(file)) return undefined;
  const parsed = journalSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  // A journal we cannot read still means a reset did not finish: never guess past it.
  if (!parsed.success) throw new StepError(`${file} is unreadable: a reset did not finish and its backup cannot be told`, `restore the newest prisma/backups/backup-*.json with \`pnpm db:restore FILE\`, then delete ${file}`);
  return parsed.data;
}

export function writeJournal(sidecarDir: string, journal: ResetJournal): void {
  writeAtomic(journalPath(sidecarDir), `${JSON.stringify(journal, null, 2)}\n`);
}

export function clearJournal(sidecarDir: string): void {
  rmSync(journalPath(sidecarDir), { force: true });
}

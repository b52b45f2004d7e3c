// Where a reset builds the new database beside the live one, and how it switches it in. The live
// database is never written before the switch; the switch is atomic; the previous one is kept for
// `db:reset --undo` until the next successful reset.
import type { Database } from "../db/database.ts";
import type { Fingerprint } from "./fingerprint.ts";

export interface SwitchResult {
  /** Where the previous database is kept (for --undo), or null with --no-keep. */
  previous: string | null;
  /** Sessions of other processes closed at the switch (they reconnect to the new data). */
  closedSessions: number;
}

export interface BuildTarget {
  /** How the reports name the new database while it is built. */
  readonly name: string;
  /** Fails, naming the fix, when a right the build or the switch needs is missing. Only reads. */
  checkRights(): Promise<void>;
  /** Drops what a killed reset left, then gives the URL the Prisma CLI builds into. */
  prepare(): Promise<string>;
  /** The new database, once migrated and seeded. */
  open(): Promise<Database>;
  /** Switches the new database in, atomically, if the live one still matches `fingerprint`. */
  switchIn(fingerprint: Fingerprint, keepPrevious: boolean): Promise<SwitchResult>;
  /** Drops the unfinished new database (after a failure). */
  discard(): Promise<void>;
}

export interface UndoResult {
  /** What was switched back in. */
  restored: string;
  /** When the reset that replaced it ran. */
  resetAt: string | null;
  closedSessions: number;
}

export interface Switcher {
  target(): BuildTarget;
  /** Switches the previous database back in, in one step, dropping the reset's. */
  undo(): Promise<UndoResult>;
}

export type LiveDatabase = Database;

// Before version 3 a reset wiped the live database first and kept a journal to finish it after a
// crash. A reset now builds beside the live one and never needs finishing; an old journal left
// behind still means that database may be half-rebuilt, so it is named, never ignored.
import { existsSync } from "node:fs";
import path from "node:path";
import { StepError } from "../errors.ts";

const LEGACY_JOURNAL = "reset-journal.json";

export function refuseLegacyJournal(sidecarDir: string): void {
  const file = path.join(sidecarDir, LEGACY_JOURNAL);
  if (!existsSync(file)) return;
  throw new StepError(
    `${file} says a db:reset of an earlier clerk-resync version did not finish: the database it names may be missing local data. Nothing was changed.`,
    `restore the backup it names (\`pnpm db:restore <its "backup" file>\`), check the data, then delete ${file}`,
  );
}

// Every command under its argv name (the pnpm scripts in package.json call `src/cli.ts <name>`).
import { backupCommand } from "./backup.ts";
import { bootstrapCommand } from "./bootstrap.ts";
import type { Command } from "./context.ts";
import { demoCommand } from "./demo.ts";
import { devCommand } from "./dev.ts";
import { migrateCommand } from "./migrate.ts";
import { resetForceCommand } from "./reset-force.ts";
import { resetCommand } from "./reset.ts";
import { restoreCommand } from "./restore.ts";
import { resyncCommand } from "./resync.ts";
import { seedCommand } from "./seed.ts";
import { webhooksCommand } from "./webhooks.ts";

export const COMMANDS: Readonly<Record<string, Command>> = {
  migrate: migrateCommand,
  seed: seedCommand,
  resync: resyncCommand,
  backup: backupCommand,
  restore: restoreCommand,
  reset: resetCommand,
  "reset-force": resetForceCommand,
  bootstrap: bootstrapCommand,
  demo: demoCommand,
  dev: devCommand,
  webhooks: webhooksCommand,
};

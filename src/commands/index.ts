// Every command under its argv name, with its one-line summary: all `--help` and `--version`
// need. A command's module (and Prisma, pg, the Clerk SDK behind it) loads only when it runs.
import type { Command } from "./context.ts";

export interface CommandEntry {
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  reset: { summary: "Preflight, sidecar backup, build a new database beside the live one (migrate deploy, seed, resync, restore), verify, switch; --undo switches back", load: async () => (await import("./reset.ts")).resetCommand },
  resync: { summary: "Make users, organizations and memberships match Clerk (plan, then apply)", load: async () => (await import("./resync.ts")).resyncCommand },
  backup: { summary: "Write local data Clerk does not hold (every owned table, app columns, kept tables) to a sidecar file", load: async () => (await import("./backup.ts")).backupCommand },
  restore: { summary: "Restore local data from a sidecar file (default: the latest backup); idempotent", load: async () => (await import("./restore.ts")).restoreCommand },
  seed: { summary: "Run the app's seed (prisma db seed) on the configured or embedded database; arguments after -- go to it", load: async () => (await import("./seed.ts")).seedCommand },
  migrate: { summary: "Apply pending migrations (prisma migrate deploy) to the configured or embedded database", load: async () => (await import("./migrate.ts")).migrateCommand },
  prisma: { summary: "Run the app's Prisma CLI on the configured or embedded database: clerk-resync prisma -- migrate dev --name x", load: async () => (await import("./prisma.ts")).prismaCommand },
  "reset-force": { summary: "Raw prisma migrate reset (re-seeds defaults): no backup, no resync — loses users and org-local data", load: async () => (await import("./reset-force.ts")).resetForceCommand },
  bootstrap: { summary: "Newcomer setup: migrate, seed, resync from Clerk, restore the team sidecar if committed", load: async () => (await import("./bootstrap.ts")).bootstrapCommand },
  webhooks: { summary: "Receive Clerk webhooks (POST /webhooks/clerk, GET /healthz) and apply them to the mirror until Ctrl-C", load: async () => (await import("./webhooks.ts")).webhooksCommand },
  dev: { summary: "Start the local services (database migrated and seeded; Clerk emulator when no key, its users loaded) until Ctrl-C", load: async () => (await import("./dev.ts")).devCommand },
  init: { summary: "Read the app's Prisma schema and write clerk-resync.config.ts: which models hold Clerk's users, organizations and memberships, and what to add", load: async () => (await import("./init.ts")).initCommand },
  emulator: { summary: "The Clerk Backend API emulator on loopback, with a generated dataset; same key and port on every start", load: async () => (await import("./emulator.ts")).emulatorCommand },
  demo: { summary: "The whole flow with no key and no database: emulator + embedded Postgres, then a reset end to end", load: async () => (await import("./demo.ts")).demoCommand },
};

/** How a user runs a command, in usage lines and `--help`. */
export const commandLine = (name: string): string => `clerk-resync ${name}`;

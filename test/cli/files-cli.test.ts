// Unusable files and folders through the real CLI: each is one line naming the path, what is
// wrong and what to do, exit 1, with the database and the backups folder as they were.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { addOrgLocalData, tableDump } from "../../src/demo/sample-data.ts";
import { databaseIdentity } from "../../src/db/identity.ts";
import { seedDefaults } from "../../examples/seed-app/prisma/seed-defaults.ts";
import { latestBackupFile } from "../../src/sidecar/files.ts";
import { runCli, type CliRun } from "../support/cli.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { resync } from "../support/sync.ts";
import { onFirstPassOnly } from "../support/passes.ts";

let t: TestDatabase;
let emu: RunningEmulator;
const work = mkdtempSync(path.join(tmpdir(), "clerk-resync-files-"));
const goodBackup = path.join(work, "good.json");

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 10, orgs: 2, membershipsPerOrg: 2, seed: 31 });
  await seedDefaults(t.db);
  await resync(emu, t.db);
  await addOrgLocalData(t.db);
  const made = await runCli(["backup", "--out", goodBackup], env(path.join(work, "made")));
  assert.equal(made.code, 0, made.stderr);
});
after(async () => {
  await emu.close();
  await t.close();
});

function env(sidecarDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: t.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_API_URL: emu.url, CLERK_RESYNC_SIDECAR_DIR: sidecarDir, ...extra };
}

/** The one `error:` line of a failed run (exit 1). */
function refusal(run: CliRun, what: string): string {
  assert.equal(run.code, 1, `${what}: ${run.stderr}`);
  const lines = run.stderr.split("\n").filter((l) => l.startsWith("error:"));
  assert.equal(lines.length, 1, `${what}: ${run.stderr}`);
  return lines[0]!;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every file under `dir`, recursively (none when it is not a folder). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath ?? d.path, d.name));
}

test("a file where the backups folder should be: named, nothing changed, for backup and reset", { skip: onFirstPassOnly, timeout: 120_000 }, async () => {
  const blocker = path.join(work, "a-file");
  writeFileSync(blocker, "in the way");
  const before = await tableDump(t.db);
  for (const sidecarDir of [blocker, path.join(blocker, "deeper")]) {
    for (const command of ["backup", "reset"]) {
      const line = refusal(await runCli([command], env(sidecarDir)), `${command} into ${sidecarDir}`);
      assert.match(line, new RegExp(`^error: Cannot write the backups folder ${escape(sidecarDir)}: ${escape(blocker)} is a file, not a folder; nothing was changed\\. Move or rename ${escape(blocker)}, or point CLERK_RESYNC_SIDECAR_DIR at a writable folder\\.$`), command);
    }
  }
  assert.equal(readFileSync(blocker, "utf8"), "in the way");
  assert.deepEqual(await tableDump(t.db), before);
});

test("a folder where the latest backup should be: backup writes nothing, restore says what to do", { timeout: 120_000 }, async () => {
  const dir = path.join(work, "latest-is-a-folder");
  const latest = latestBackupFile(dir, databaseIdentity({ databaseUrl: t.url, pgliteDir: "" }));
  mkdirSync(latest, { recursive: true });
  const backup = refusal(await runCli(["backup"], env(dir)), "backup");
  assert.equal(backup, `error: Cannot write the latest backup ${latest}: ${latest} is a folder, not a file; nothing was changed. Move that folder aside (clerk-resync never writes a folder there), or point CLERK_RESYNC_SIDECAR_DIR at a writable folder.`);
  assert.deepEqual(readdirSync(dir), [path.basename(latest)], "no backup file and no temp file left");
  const restore = refusal(await runCli(["restore"], env(dir)), "restore");
  assert.equal(restore, `error: Cannot read the sidecar ${latest}: ${latest} is a folder, not a file; nothing was restored. Move that folder aside (clerk-resync never writes a folder there), or pass another file to \`pnpm db:restore <file>\`.`);
});

/** A folder this process cannot write into, by the first means that works here (root ignores modes), or undefined. */
function unwritableFolder(): { dir: string; undo: () => void } | undefined {
  const dir = mkdtempSync(path.join(work, "locked-"));
  const writable = () => {
    try {
      writeFileSync(path.join(dir, "probe"), "");
      rmSync(path.join(dir, "probe"));
      return true;
    } catch {
      return false;
    }
  };
  execFileSync("chmod", ["0555", dir]);
  if (!writable()) return { dir, undo: () => execFileSync("chmod", ["0755", dir]) };
  try {
    execFileSync("chattr", ["+i", dir], { stdio: "ignore" });
  } catch {
    return undefined;
  }
  if (!writable()) return { dir, undo: () => execFileSync("chattr", ["-i", dir]) };
  execFileSync("chattr", ["-i", dir]);
  return undefined;
}

test("a backups folder without write permission (mode 0555, or immutable for root): named, with the fix", { timeout: 120_000 }, async (ctx) => {
  const locked = unwritableFolder();
  if (!locked) return ctx.skip("neither chmod nor chattr can deny this user a write here");
  try {
    const line = refusal(await runCli(["backup"], env(locked.dir)), "backup");
    assert.match(line, new RegExp(`^error: Cannot write the backup ${escape(locked.dir)}/backup-[^ ]+\\.json: permission denied \\((EACCES|EPERM)\\); nothing was changed\\. Give your user write access \\(\`ls -ld ${escape(locked.dir)}\`, \`chmod u\\+w\`\\), or clear an immutable flag \\(\`lsattr\`, \`chattr -i\`\\), or point CLERK_RESYNC_SIDECAR_DIR at a writable folder\\.$`));
  } finally {
    locked.undo();
  }
  assert.deepEqual(readdirSync(locked.dir), [], "no temp file left");
});

/** A tmpfs mounted with `options` for the duration of `body` (root only), or false when it cannot be mounted. */
async function withTmpfs(options: string, body: (dir: string) => Promise<void>): Promise<boolean> {
  const dir = mkdtempSync(path.join(work, "tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "ignore" });
  } catch {
    return false;
  }
  try {
    await body(dir);
  } finally {
    execFileSync("umount", [dir]);
  }
  return true;
}

test("a read-only mount and a full disk (real tmpfs mounts, root only): named, nothing left behind", { timeout: 120_000 }, async (ctx) => {
  const before = await tableDump(t.db);
  const mounted = await withTmpfs("ro,size=1m", async (dir) => {
    const line = refusal(await runCli(["backup"], env(dir)), "backup on a read-only mount");
    assert.match(line, new RegExp(`^error: Cannot write the backup ${escape(dir)}/backup-[^ ]+\\.json: it is on a read-only file system; nothing was changed\\. Remount ${escape(dir)} read-write, or point CLERK_RESYNC_SIDECAR_DIR at a writable folder\\.$`));
  });
  if (!mounted) return ctx.skip("mounting a tmpfs needs root; the mapping is unit-tested in test/files/fs-errors.test.ts");
  await withTmpfs("size=4k", async (dir) => {
    // Its small marker fits, so on a PGlite served by this process reset refuses first (it cannot switch a folder it does not hold).
    for (const command of t.kind === "postgres" ? ["backup", "reset"] : ["backup"]) {
      const line = refusal(await runCli([command], env(dir)), `${command} on a full disk`);
      assert.match(line, new RegExp(`^error: Cannot write the backup ${escape(dir)}/backup-[^ ]+\\.json: the disk is full \\(no space left on device\\); nothing was changed\\. Free some space \\(\`df -h ${escape(dir)}\`\\) and run the command again, or point CLERK_RESYNC_SIDECAR_DIR at a writable folder\\.$`), command);
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("backup-")), [], `${command}: no backup or temp file left`);
    }
  });
  assert.deepEqual(await tableDump(t.db), before);
});

test("a corrupt sidecar: the file, the line and column, and what to run", { timeout: 120_000 }, async () => {
  const cut = path.join(work, "cut.json");
  copyFileSync(goodBackup, cut);
  truncateSync(cut, 200);
  const before = await tableDump(t.db);
  const line = refusal(await runCli(["restore", cut], env(path.join(work, "made"))), "restore");
  assert.match(line, new RegExp(`^error: ${escape(cut)} is not valid JSON at line \\d+, column \\d+ \\(position \\d+\\): [^;]+; nothing was restored\\. The file is damaged: restore another backup \\(\`pnpm db:restore <file>\`\\), or write a new one with \`pnpm db:backup\`$`));
  assert.deepEqual(await tableDump(t.db), before);
});

test("a sidecar over the size limit is refused as too large, before it is read", { timeout: 120_000 }, async () => {
  const huge = path.join(work, "huge.json");
  writeFileSync(huge, "");
  truncateSync(huge, 300 * 1024 * 1024); // sparse, and never read: the size is checked first
  const line = refusal(await runCli(["restore", huge], env(path.join(work, "made"))), "restore of a huge file");
  assert.equal(line, `error: Cannot read the sidecar ${huge}: it is too large (300 MB, over the limit of 256 MB); nothing was restored. If the file is right, raise CLERK_RESYNC_MAX_SIDECAR_MB (in megabytes), or pass another file to \`pnpm db:restore <file>\`.`);
  // The limit is the user's to set; bootstrap's team sidecar goes through the same check.
  const small = refusal(await runCli(["bootstrap"], env(path.join(work, "made"), { CLERK_RESYNC_MAX_SIDECAR_MB: "0.001", CLERK_RESYNC_TEAM_SIDECAR: goodBackup })), "bootstrap");
  assert.match(small, new RegExp(`^error: Cannot read the sidecar ${escape(goodBackup)}: it is too large \\(\\d+ bytes, over the limit of 1048 bytes\\); nothing was restored\\.`));
  const bad = refusal(await runCli(["restore", goodBackup], env(path.join(work, "made"), { CLERK_RESYNC_MAX_SIDECAR_MB: "lots" })), "bad limit");
  assert.equal(bad, `error: CLERK_RESYNC_MAX_SIDECAR_MB must be a number of megabytes > 0, got "lots" (default 256)`);
});

test("a corrupt switch journal of the embedded database: the file, what is wrong, and how to finish by hand", { timeout: 120_000 }, async () => {
  const pgliteDir = path.join(work, "embedded", "pglite");
  mkdirSync(path.dirname(pgliteDir), { recursive: true });
  const journal = `${pgliteDir}.switch.json`;
  const text = `{"format": "clerk-resync-folder-switch", "database": "${pgliteDir}`;
  writeFileSync(journal, text);
  const run = await runCli(["backup"], { CLERK_RESYNC_PGLITE_DIR: pgliteDir, CLERK_RESYNC_SIDECAR_DIR: path.join(work, "embedded", "backups") });
  const line = refusal(run, "backup");
  assert.equal(line, `error: ${journal} (the journal of an interrupted switch of the embedded database) is not valid JSON at line 1, column ${text.length + 1} (position ${text.length}): Unterminated string; nothing was changed`);
  assert.match(run.stderr, new RegExp(`\\nTo finish the job: look at the folders beside ${escape(pgliteDir)} \\(\\.build, \\.previous\\): move the one to keep to ${escape(pgliteDir)}, then delete ${escape(journal)} and run the command again\\n`));
  assert.equal(readFileSync(journal, "utf8"), text, "the journal is left for the user");
  assert.equal(existsSync(pgliteDir), false, "no database folder was created");
  assert.deepEqual(filesUnder(path.join(work, "embedded", "backups")), []);
});

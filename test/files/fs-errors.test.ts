// The errno → message mapping, including the cases a test cannot cause on every machine (a full
// disk, a read-only mount), and the JSON reader's answers: position, size limit, folder.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { FileError, toFileError } from "../../src/fs-errors.ts";
import { parseJson, readTextFile } from "../../src/json-file.ts";

const work = mkdtempSync(path.join(tmpdir(), "clerk-resync-fs-errors-"));
const errno = (code: string, message = `${code}: something, write`) => Object.assign(new Error(message), { code });
const backup = path.join(work, "backups", "backup-1.json");
const use = { what: "the backup", path: backup, action: "write" as const, outcome: "nothing was changed", instead: "or point CLERK_RESYNC_SIDECAR_DIR at a writable folder" };

function messageFor(err: unknown): string {
  const mapped = toFileError(err, use);
  assert.ok(mapped instanceof FileError, `mapped to a FileError: ${String(mapped)}`);
  return mapped.message;
}

test("a full disk names the file, says nothing changed and how to free space", () => {
  assert.equal(
    messageFor(errno("ENOSPC", "ENOSPC: no space left on device, write")),
    `Cannot write the backup ${backup}: the disk is full (no space left on device); nothing was changed. Free some space (\`df -h ${path.dirname(backup)}\`) and run the command again, or point CLERK_RESYNC_SIDECAR_DIR at a writable folder.`,
  );
});

test("a read-only mount, a permission or immutable file, a quota: each says what to do", () => {
  assert.match(messageFor(errno("EROFS")), /: it is on a read-only file system; nothing was changed\. Remount .* read-write, or point CLERK_RESYNC_SIDECAR_DIR/);
  assert.match(messageFor(errno("EACCES")), /: permission denied \(EACCES\); nothing was changed\. Give your user write access .*chmod u\+w.*chattr -i/);
  assert.match(messageFor(errno("EPERM")), /: permission denied \(EPERM\);/);
  assert.match(messageFor(errno("EDQUOT")), /: your disk quota is used up; nothing was changed\. Free some space/);
});

test("a file where the folder should be is named, even when it is a parent of the folder", () => {
  const blocker = path.join(work, "a-file");
  writeFileSync(blocker, "not a folder");
  const nested = { ...use, path: path.join(blocker, "deeper", "backup.json") };
  const mapped = toFileError(Object.assign(errno("ENOTDIR"), { path: path.join(blocker, "deeper") }), nested) as Error;
  assert.match(mapped.message, new RegExp(`: ${blocker.replaceAll("/", "\\/")} is a file, not a folder; nothing was changed\\. Move or rename ${blocker.replaceAll("/", "\\/")}, or point`));
});

test("an error that is not a filesystem one passes through untouched", () => {
  const other = new Error("boom");
  assert.equal(toFileError(other, use), other);
});

test("parseJson says where the text breaks: line, column and position", () => {
  // A file cut short while being written: the string on line 3 never ends.
  const text = '{\n  "format": "clerk-resync-sidecar",\n  "tables": {"a": "cut short';
  assert.deepEqual(parseJson(text), { ok: false, problem: `not valid JSON at line 3, column ${text.length - text.lastIndexOf("\n")} (position ${text.length}): Unterminated string` });
  const comma = parseJson('{"a": 1 "b": 2}');
  assert.deepEqual(comma, { ok: false, problem: "not valid JSON at line 1, column 9 (position 8): Expected ',' or '}' after property value" });
  const empty = parseJson("");
  assert.deepEqual(empty, { ok: false, problem: "not valid JSON at line 1, column 1 (position 0): Unexpected end of JSON input" });
});

test("readTextFile refuses a file over the limit before reading it, and a folder", () => {
  const big = path.join(work, "big.json");
  writeFileSync(big, "");
  truncateSync(big, 512 * 1024 * 1024); // sparse: no disk used, and never read
  assert.throws(
    () => readTextFile({ what: "the sidecar", path: big, maxBytes: 256 * 1024 * 1024, outcome: "nothing was restored", limitHint: "Raise CLERK_RESYNC_MAX_SIDECAR_MB" }),
    (err: Error) => err instanceof FileError && err.message === `Cannot read the sidecar ${big}: it is too large (512 MB, over the limit of 256 MB); nothing was restored. Raise CLERK_RESYNC_MAX_SIDECAR_MB.`,
  );
  const folder = path.join(work, "latest.json");
  mkdirSync(folder);
  assert.throws(
    () => readTextFile({ what: "the sidecar", path: folder, outcome: "nothing was restored" }),
    (err: Error) => err instanceof FileError && err.message.startsWith(`Cannot read the sidecar ${folder}: ${folder} is a folder, not a file; nothing was restored. Move that folder aside`),
  );
});

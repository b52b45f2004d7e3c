// .env.local and .env: one parser for the CLI and prisma.config.ts; process env > .env.local > .env.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { loadEnvFiles, parseDotEnv } from "../src/env-files.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "./support/database.ts";

test("dotenv syntax: export, comments, quotes, escapes, multi-line values", () => {
  const text = [
    "# comment",
    "export A=1",
    "B = two words  # trailing comment",
    "C='single # kept $literal'",
    'D="line1\\nline2 \\"q\\""',
    "E=",
    'F="-----BEGIN KEY-----',
    "abc",
    '-----END KEY-----"',
    "G=`back`",
    "H=url#not-a-comment",
    "not a variable line",
    "I=after\r",
  ].join("\n");
  assert.deepEqual(parseDotEnv(text), {
    A: "1",
    B: "two words",
    C: "single # kept $literal",
    D: 'line1\nline2 "q"',
    E: "",
    F: "-----BEGIN KEY-----\nabc\n-----END KEY-----",
    G: "back",
    H: "url#not-a-comment",
    I: "after",
  });
});

test("precedence: process env > .env.local > .env", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "clerk-resync-env-"));
  writeFileSync(path.join(dir, ".env"), "X=env\nY=env\nZ=env\n");
  writeFileSync(path.join(dir, ".env.local"), "Y=local\nZ=local\n");
  const env: NodeJS.ProcessEnv = { Z: "process" };
  assert.deepEqual(loadEnvFiles(dir, env), [path.join(dir, ".env.local"), path.join(dir, ".env")]);
  assert.deepEqual(env, { X: "env", Y: "local", Z: "process" });
  assert.deepEqual(loadEnvFiles(mkdtempSync(path.join(tmpdir(), "clerk-resync-env-")), env), [], "no files, nothing read");
});

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.close();
});

/** A project folder whose prisma.config.ts is the real one, and whose .env files are the test's. */
function projectWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "clerk-resync-prj-"));
  copyFileSync(path.join(ROOT, "prisma.config.ts"), path.join(dir, "prisma.config.ts"));
  for (const name of ["src", "prisma", "examples", "node_modules", "package.json"]) symlinkSync(path.join(ROOT, name), path.join(dir, name));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function prisma(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/prisma/build/index.js"), ...args], {
      cwd,
      // No DATABASE_URL here: it must come from the project's dotenv files.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

test("plain `prisma migrate status` uses DATABASE_URL from .env, and .env.local over .env", { timeout: 60_000 }, async () => {
  const fromEnv = await prisma(["migrate", "status"], projectWith({ ".env": `DATABASE_URL=${t.url}\n` }));
  assert.equal(fromEnv.code, 0, fromEnv.output);
  assert.match(fromEnv.output, /Database schema is up to date/);
  const local = await prisma(["migrate", "status"], projectWith({ ".env": "DATABASE_URL=postgresql://nobody@127.0.0.1:1/wrong\n", ".env.local": `DATABASE_URL="${t.url}"\n` }));
  assert.equal(local.code, 0, local.output);
  assert.match(local.output, /Database schema is up to date/);
});

test("without DATABASE_URL anywhere, `prisma migrate status` says to set it (and downloads no engine)", { timeout: 60_000 }, async () => {
  const status = await prisma(["migrate", "status"], projectWith({}));
  assert.notEqual(status.code, 0);
  assert.match(status.output, /DATABASE_URL is not set/);
  assert.doesNotMatch(status.output, /binaries\.prisma\.sh/, "never tries to download an engine");
});

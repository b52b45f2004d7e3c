// What a person sees on a terminal (a real pseudo-terminal through `script`): progress lines that
// never collide with log lines, a visible wait for Clerk's rate budget, counts that add up,
// NO_COLOR, Ctrl-C, and a question before db:reset:force.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { runCli, runCliOnTty, waitForOutput } from "../support/cli.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { createResetDatabase } from "../support/reset-database.ts";
import { resync } from "../support/sync.ts";
import { startTestEmulator } from "../support/emulator.ts";

let t: TestDatabase;
let emu: RunningEmulator;
let env: Record<string, string>;

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 30, orgs: 5, membershipsPerOrg: 4, seed: 11 });
  env = { DATABASE_URL: t.url, CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_RESYNC_SIDECAR_DIR: mkdtempSync(path.join(tmpdir(), "clerk-resync-tty-")) };
});
after(async () => {
  await emu.close();
  await t.close();
});

const TIMESTAMP = /\[\d\d:\d\d:\d\d\.\d{3}\]/g;
const CLEAR = "\r\x1b[2K";
const SGR_COLOUR = /\x1b\[(?:3\d|9\d)m/;

/** Every pretty log line starts on a clean line: at the start, after a newline, or after a clear. */
function assertLogLinesStartClean(output: string): number {
  let n = 0;
  for (const m of output.matchAll(TIMESTAMP)) {
    const before = output.slice(0, m.index).replace(/\x1b\[[\d;]*m$/, "");
    assert.ok(before === "" || before.endsWith("\n") || before.endsWith(CLEAR), `log line glued to other text: ${JSON.stringify(output.slice(Math.max(0, m.index - 60), m.index + 30))}`);
    n++;
  }
  return n;
}

test("clerk:resync on a terminal: the rate-budget wait is said, log lines never glue to the progress line, the counter ends at rows written", { timeout: 60_000 }, async () => {
  // 2 requests per 1.5 s: the run must wait for the budget at least once.
  const run = await runCliOnTty(["resync"], { ...env, NO_COLOR: "1", CLERK_REQUESTS_PER_WINDOW: "2", CLERK_RATE_WINDOW_MS: "1500" });
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /INFO: waiting for Clerk's rate budget \(\d+ s\)/);
  assert.ok(assertLogLinesStartClean(run.output) >= 1);
  const counters = [...run.output.matchAll(/applying: (\d+)\/(\d+) rows/g)];
  assert.ok(counters.length > 0, "an apply counter was shown");
  const [, done, total] = counters.at(-1)!;
  const written = /(\d+) rows written/.exec(run.output)?.[1];
  assert.equal(done, total);
  assert.equal(done, written, "the counter ends where the report's rows written is");
  assert.equal(written, String(30 + 5 + 20));
  assert.doesNotMatch(run.output, SGR_COLOUR, "NO_COLOR: no colours");
});

test("colours: on by default on a terminal, off with NO_COLOR or FORCE_COLOR=0; FORCE_COLOR=1 wins over NO_COLOR", { timeout: 60_000 }, async () => {
  // A small budget makes the run log its wait: a line to colour or not.
  const slow = { ...env, CLERK_REQUESTS_PER_WINDOW: "2", CLERK_RATE_WINDOW_MS: "1200" };
  const [plain, noColor] = await Promise.all([runCliOnTty(["resync", "--check"], slow), runCliOnTty(["resync", "--check"], { ...slow, NO_COLOR: "1" })]);
  const [forcedOff, forcedOn] = await Promise.all([runCliOnTty(["resync", "--check"], { ...slow, FORCE_COLOR: "0" }), runCliOnTty(["resync", "--check"], { ...slow, NO_COLOR: "1", FORCE_COLOR: "1" })]);
  for (const run of [plain, noColor, forcedOff, forcedOn]) assert.match(run.output, /INFO.*waiting for Clerk's rate budget/);
  assert.match(plain.output, SGR_COLOUR);
  assert.doesNotMatch(noColor.output, SGR_COLOUR);
  assert.doesNotMatch(forcedOff.output, SGR_COLOUR);
  assert.match(forcedOn.output, SGR_COLOUR);
});

test("Ctrl-C during a run clears the progress line", { timeout: 60_000 }, async () => {
  // 3 requests per 20 s: the run sits waiting for its budget with the fetch progress line up.
  const run = await runCliOnTty(["resync"], { ...env, CLERK_REQUESTS_PER_WINDOW: "3", CLERK_RATE_WINDOW_MS: "20000" }, async (output, type) => {
    await waitForOutput(output, /fetching from Clerk/);
    await new Promise((r) => setTimeout(r, 300));
    type("\x03");
  });
  assert.notEqual(run.code, 0);
  const last = run.output.lastIndexOf("fetching from Clerk");
  assert.ok(run.output.slice(last).includes(CLEAR), `the line is cleared after the last progress text: ${JSON.stringify(run.output.slice(last))}`);
});

test("db:reset on a terminal: every log line starts on a clean line", { timeout: 120_000 }, async () => {
  const r = await createResetDatabase();
  try {
    await resync(emu, await r.open());
    await r.release();
    const run = await runCliOnTty(["reset"], { ...env, DATABASE_URL: undefined, ...r.env, NO_COLOR: "1" });
    assert.equal(run.code, 0, run.output);
    assert.ok(assertLogLinesStartClean(run.output) >= 4, run.output);
    assert.match(run.output, /Reset of .* complete in/);
  } finally {
    await r.close();
  }
});

test("db:reset:force asks on a terminal (N keeps the data, y resets); without a terminal it wants --yes", { timeout: 120_000 }, async () => {
  await runCli(["resync"], env);
  const users = async () => (await t.db.pool.query(`SELECT count(*)::int AS n FROM "User"`)).rows[0].n as number;
  assert.equal(await users(), 30);

  const piped = await runCli(["reset-force"], env);
  assert.equal(piped.code, 1);
  assert.match(piped.stderr, /pass --yes to confirm \(no terminal to ask on\)/);
  assert.equal(await users(), 30, "nothing touched");

  const declined = await runCliOnTty(["reset-force"], env, async (output, type) => {
    await waitForOutput(output, /\[y\/N\] /);
    type("n\n");
  });
  assert.equal(declined.code, 1, declined.output);
  assert.match(declined.output, /Nothing was reset\./);
  assert.equal(await users(), 30, "declined: nothing touched");

  const confirmed = await runCliOnTty(["reset-force"], env, async (output, type) => {
    await waitForOutput(output, /\[y\/N\] /);
    type("y\n");
  });
  assert.equal(confirmed.code, 0, confirmed.output);
  assert.equal(await users(), 0, "reset");
});

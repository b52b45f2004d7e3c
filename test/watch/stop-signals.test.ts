// A stop's signal handling in-process: the terminal's Ctrl-C and pnpm's forwarded copy of it are one
// press, even when the command has already stopped and disposed when the copy lands.
import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "../../src/log.ts";
import { stopOnSignals } from "../../src/stop-signals.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("the twin of a Ctrl-C that lands after a quick stop is swallowed, and its listener goes once the window has passed", async () => {
  const exits: number[] = [];
  const baseline = process.listenerCount("SIGINT");
  const stop = stopOnSignals(silentLogger, { what: "stopping", exitOnSecond: (code) => exits.push(code) });
  process.emit("SIGINT", "SIGINT");
  assert.equal(stop.signal.aborted, true);
  stop.dispose();
  // The copy pnpm forwards: still heard (so no default action kills the process), and not a second press.
  assert.ok(process.listenerCount("SIGINT") > baseline, "a listener stays for the press's twin");
  process.emit("SIGINT", "SIGINT");
  assert.deepEqual(exits, []);
  await sleep(400);
  assert.equal(process.listenerCount("SIGINT"), baseline, "no listener outlives the twin's window");
});

test("a stop that no signal caused leaves no listener behind, at once", () => {
  const baseline = process.listenerCount("SIGTERM");
  const stop = stopOnSignals(silentLogger);
  stop.dispose();
  assert.equal(process.listenerCount("SIGTERM"), baseline);
});

// Every command explains itself: --help, --version, a typo's likely meaning, one-line usage errors
// with exit 64. The real CLI in a child process for each command, as a user runs it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { test } from "node:test";
import { closest, parseCli } from "../../src/cli-args.ts";
import { COMMANDS } from "../../src/commands/index.ts";
import { UsageError } from "../../src/errors.ts";
import { runCli, runEntry, type CliRun, CLI } from "../support/cli.ts";
import { ROOT } from "../support/database.ts";

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string; scripts: Record<string, string> };
/** No database, no key: usage problems must be found before anything is opened. */
const env = { CLERK_RESYNC_PGLITE_DIR: "/nonexistent/never-opened" };

/** Two at a time: each run is a tsx start-up. */
async function inPairs<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 2) await Promise.all(items.slice(i, i + 2).map(fn));
}

function assertUsageError(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, 64, run.stderr);
  assert.match(run.stderr, pattern);
  assert.equal(run.stderr.trim().split("\n").length, 1, `one line, no stack trace: ${run.stderr}`);
}

test("every command answers --help with its usage, every flag and an example; a pnpm script runs each", async () => {
  const scripts = Object.values(pkg.scripts).join("\n");
  await inPairs(Object.entries(COMMANDS), async ([name, entry]) => {
    const command = await entry.load();
    const run = await runCli([name, name === "seed" ? "-h" : "--help"], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(scripts, new RegExp(`src/cli\\.ts ${name}\\b`), `a pnpm script runs \`${name}\``);
    assert.ok(run.stdout.startsWith(`Usage: clerk-resync ${name} `), run.stdout);
    assert.ok(run.stdout.includes(entry.summary), run.stdout);
    for (const flag of [...Object.keys(command.spec.flags), "json", "help", "version"]) assert.match(run.stdout, new RegExp(`--${flag}\\b.* \\S`), `${name}: --${flag}`);
    assert.match(run.stdout, new RegExp(`Example:\\n  clerk-resync ${name}\\b`));
  });
});

test("every command names the closest known option for a typo, and exits 64", async () => {
  await inPairs(Object.entries(COMMANDS), async ([name, entry]) => {
    const known = Object.keys((await entry.load()).spec.flags)[0] ?? "json";
    const typo = `${known.slice(0, -1)}`; // one letter short
    const run = await runCli([name, `--${typo}x`], env);
    assertUsageError(run, new RegExp(`^error: unknown option --${typo}x; did you mean --${known}\\?`));
  });
});

test("--version prints package.json's version; the top-level usage lists every command", async () => {
  const [version, top, none] = await Promise.all([runCli(["resync", "--version"], env), runCli(["--help"], env), runCli([], env)]);
  assert.equal(version.stdout.trim(), `clerk-resync ${pkg.version}`);
  assert.equal(top.code, 0);
  for (const [name, c] of Object.entries(COMMANDS)) assert.ok(top.stdout.includes(`  ${name} `) && top.stdout.includes(c.summary), `${name}: ${top.stdout}`);
  assert.equal(none.code, 64, "no command is a usage error");
});

test("bad values and stray arguments are one-line errors with exit 64, before anything is opened", async () => {
  const cases: [string[], RegExp][] = [
    [["demo", "--users", "abc"], /--users must be a whole number ≥ 0, got "abc"/],
    [["dev", "--orgs", "-3"], /--orgs needs a value/],
    [["dev", "--emulator-port", "99999"], /--emulator-port must be a whole number from 0 to 65535, got "99999"/],
    [["backup", "--out"], /--out needs a value: --out FILE/],
    [["resync", "--dry-run=yes"], /--dry-run takes no value/],
    [["restore", "a.json", "b.json"], /unexpected argument "b\.json"/],
    [["migrate", "now"], /unexpected argument "now"/],
    [["nosuch"], /Unknown command "nosuch"/],
  ];
  await inPairs(cases, async ([args, pattern]) => {
    const run = await runCli(args, env);
    assert.equal(run.code, 64, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    if (args[0] !== "nosuch") assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  });
});

test("--json turns a usage error into one JSON object on stdout", async () => {
  const run = await runCli(["resync", "--json", "--chek"], env);
  assert.equal(run.code, 64);
  assert.deepEqual(JSON.parse(run.stdout), { error: { name: "UsageError", message: "unknown option --chek; did you mean --check?" } });
});

test("the parser: typed values, defaults, last flag wins, and no guess when nothing is close", () => {
  const spec = {
    script: "pnpm x",
    summary: "x",
    example: "pnpm x",
    flags: { count: { type: "integer", value: "N", default: 3, description: "n" }, name: { type: "string", value: "S", description: "s" }, "dry-run": { type: "boolean", description: "d" } },
  } as const;
  const parsed = parseCli(spec, ["--count", "5", "--count=7", "--dry-run"]);
  assert.equal(parsed.kind, "run");
  if (parsed.kind === "run") assert.deepEqual(parsed.values, { count: 7, name: undefined, "dry-run": true });
  const defaults = parseCli(spec, []);
  if (defaults.kind === "run") assert.deepEqual(defaults.values, { count: 3, name: undefined, "dry-run": false });
  assert.equal(parseCli(spec, ["--bogus", "--help"]).kind, "help", "--help wins over other mistakes");
  assert.throws(() => parseCli(spec, ["--zzz"]), (e) => e instanceof UsageError && /unknown option --zzz \(`pnpm x --help` shows the usage\)$/.test(e.message));
  assert.throws(() => parseCli(spec, ["--count", "1.5"]), /--count must be a whole number ≥ 0, got "1.5"/);
  assert.equal(closest("dryrun", ["dry-run", "check"]), "dry-run");
  assert.equal(closest("prot", ["port", "users"]), "port");
  assert.equal(closest("CLERKUSERID", ["clerkUserId", "email"]), "clerkUserId", "the same name in another case, however far apart by edits");
  assert.equal(closest("allow", ["allow-production", "allow-mass-delete"]), undefined, "ambiguous prefix");
  assert.equal(closest("allow-prod", ["allow-production", "force-instance"]), "allow-production");
});

/** Starts the emulator CLI and resolves with its printed settings once it listens. */
function startEmulatorCli(args: string[]): Promise<{ url: string; key: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, "emulator", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("close", (code) => reject(new Error(`emulator exited (${code}): ${stderr}`)));
    child.stdout.on("data", (d) => {
      stdout += d;
      const url = /CLERK_API_URL=(\S+)/.exec(stdout)?.[1];
      const key = /CLERK_SECRET_KEY=(\S+)/.exec(stdout)?.[1];
      if (!url || !key) return;
      child.removeAllListeners("close");
      resolve({ url, key, stop: () => new Promise((done) => (child.on("close", done), child.kill("SIGINT"))) });
    });
  });
}

test("the emulator's CLI: --help, --version, one-line errors for bad values (exit 64)", async () => {
  const [help, version, users, port, typo] = await Promise.all([
    runCli(["emulator", "--help"], {}),
    runCli(["emulator", "--version"], {}),
    runCli(["emulator", "--users", "abc"], {}),
    runCli(["emulator", "--port", "99999"], {}),
    runCli(["emulator", "--rate-limt"], {}),
  ]);
  assert.equal(help.code, 0);
  assert.ok(help.stdout.startsWith("Usage: clerk-resync emulator [options]"), help.stdout);
  for (const flag of ["port", "users", "orgs", "memberships-per-org", "seed", "secret-key", "rate-limit", "instance-id"]) assert.match(help.stdout, new RegExp(`--${flag}\\b`));
  assert.equal(version.stdout.trim(), `clerk-resync ${pkg.version}`);
  assertUsageError(users, /^error: --users must be a whole number ≥ 0, got "abc"/);
  assertUsageError(port, /^error: --port must be a whole number from 0 to 65535, got "99999"/);
  assertUsageError(typo, /^error: unknown option --rate-limt; did you mean --rate-limit\?/);
});

test("the emulator keeps its secret key across restarts (derived from the seed); --secret-key overrides; a busy port is one line", async () => {
  const first = await startEmulatorCli(["--port", "0", "--users", "3"]);
  const port = new URL(first.url).port;
  const busy = await runCli(["emulator", "--port", port], {});
  assert.equal(busy.code, 1);
  assert.equal(busy.stderr.trim(), `error: port ${port} is in use (another emulator or \`clerk-resync dev\`?); stop it, or pass --port N (--port 0 picks a free one)`);
  assert.equal(await first.stop(), 0);
  const again = await startEmulatorCli(["--port", "0", "--users", "3"]);
  const otherSeed = await startEmulatorCli(["--port", "0", "--seed", "2"]);
  const custom = await startEmulatorCli(["--port", "0", "--secret-key", "sk_test_mine123"]);
  try {
    assert.equal(again.key, first.key, "same key after a restart");
    assert.match(first.key, /^sk_test_\w{40}$/);
    assert.notEqual(otherSeed.key, first.key, "another seed, another key");
    assert.equal(custom.key, "sk_test_mine123");
    const res = await fetch(`${again.url}/v1/users/count`, { headers: { Authorization: `Bearer ${again.key}` } });
    assert.deepEqual(await res.json(), { object: "total_count", total_count: 3 });
  } finally {
    await Promise.all([again.stop(), otherSeed.stop(), custom.stop()]);
  }
});

test("the emulator's default port is stable: 4010, and a busy 4010 says to pass --port", async () => {
  // Hold 4010 ourselves (if something else already does, the emulator must report it the same way).
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.once("error", () => resolve()).listen(4010, "127.0.0.1", () => resolve()));
  try {
    const run = await runCli(["emulator", ], {});
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^error: port 4010 is in use .*pass --port N/);
  } finally {
    blocker.close();
  }
});

test("the benchmark scripts share the parser: --help, and one-line errors for bad values", async () => {
  const [help, scale, db, emulatorBench] = await Promise.all([
    runEntry("bench/run.ts", ["--help"], {}),
    runEntry("bench/run.ts", ["--scale", "abc"], {}),
    runEntry("bench/run.ts", ["--db", "mysql"], {}),
    runEntry("bench/emulator-throughput.ts", ["--user", "5"], {}),
  ]);
  assert.equal(help.code, 0);
  assert.ok(help.stdout.startsWith("Usage: pnpm bench [options]"));
  for (const flag of ["scale", "db", "out"]) assert.match(help.stdout, new RegExp(`--${flag}\\b`));
  assertUsageError(scale, /^error: --scale must be a number > 0, got "abc"/);
  assertUsageError(db, /^error: --db must be one of postgres, pglite, all, got "mysql"/);
  assertUsageError(emulatorBench, /^error: unknown option --user; did you mean --users\?/);
  await inPairs(["sidecar", "watch", "webhooks"], async (name) => {
    const run = await runEntry(`bench/${name}.ts`, ["--help"], {});
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.startsWith(`Usage: pnpm bench:${name} [options]`), run.stdout);
  });
});

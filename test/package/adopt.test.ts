// The package as a team adopts it: `pnpm pack`, the tarball installed with npm into a scratch app
// outside the repository (its own package.json and Prisma schema), then the bin, the App Router
// route's types and a resync against `clerk-resync emulator`, all from the installed package.
// The scratch app uses its own embedded database (`migrate dev` is tested in
// test/examples/seed-app). It costs an npm install, so CI runs it on its first pass only.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { ROOT } from "../support/database.ts";
import { onFirstPassOnly } from "../support/passes.ts";

const run = promisify(execFile);
const skip = onFirstPassOnly;
const rootPkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };

let app: string;
let bin: string;
const stops: (() => void)[] = [];

before(async () => {
  if (skip) return;
  const work = mkdtempSync(path.join(tmpdir(), "clerk-resync-adopt-"));
  await run("pnpm", ["pack", "--pack-destination", work], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  assert.ok(tarball, "pnpm pack wrote a tarball");
  app = path.join(work, "app");
  cpSync(path.join(ROOT, "test/fixtures/adopter-app"), app, { recursive: true });
  const dev = rootPkg.devDependencies;
  writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({
      name: "scratch-app",
      private: true,
      type: "module",
      dependencies: { "clerk-resync": `file:${path.join(work, tarball)}` },
      devDependencies: { prisma: dev.prisma, "@prisma/adapter-pg": dev["@prisma/adapter-pg"], typescript: dev.typescript, "@types/node": dev["@types/node"] },
    }),
  );
  // --ignore-scripts: Prisma's postinstall would download native engines, which this machine cannot.
  await run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
  bin = path.join(app, "node_modules/.bin/clerk-resync");
});
after(() => stops.forEach((stop) => stop()));

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return run(bin, args, { cwd: app, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
}

test("the installed bin answers --version, --help and emulator --help", { skip, timeout: 600_000 }, async () => {
  assert.equal((await cli(["--version"])).stdout.trim(), `clerk-resync ${rootPkg.version}`);
  const help = (await cli(["--help"])).stdout;
  for (const command of ["reset", "resync", "backup", "restore", "seed", "webhooks", "bootstrap", "dev", "emulator"]) assert.match(help, new RegExp(`^  ${command} `, "m"));
  const emulatorHelp = (await cli(["emulator", "--help"])).stdout;
  for (const flag of ["port", "secret-key", "users", "orgs", "memberships-per-org", "seed", "rate-limit", "webhook-url"]) assert.match(emulatorHelp, new RegExp(`--${flag}\\b`));
  assert.ok(!readdirSync(path.join(app, "node_modules/clerk-resync")).includes("src"), "the package ships compiled JavaScript, not its sources");
});

test("an App Router route, a node http server on toNodeHandler and clerk-resync.config.ts typecheck under create-next-app's tsconfig", { skip, timeout: 600_000 }, async () => {
  const tsc = await run(process.execPath, [path.join(app, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: app }).catch((e: { stdout: string; code: number }) => e);
  assert.equal("code" in tsc ? tsc.code : 0, 0, tsc.stdout);
});

test("clerk-resync migrate, then resync against clerk-resync emulator, in the scratch app", { skip, timeout: 600_000 }, async () => {
  const emulator = spawn(bin, ["emulator", "--port", "0", "--users", "7", "--orgs", "2", "--memberships-per-org", "2"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
  stops.push(() => emulator.kill());
  const settings = await new Promise<{ url: string; key: string }>((resolve, reject) => {
    let out = "";
    emulator.on("close", (code) => reject(new Error(`emulator exited ${code}`)));
    emulator.stdout.on("data", (d) => {
      out += d;
      const url = /CLERK_API_URL=(\S+)/.exec(out)?.[1];
      const key = /CLERK_SECRET_KEY=(\S+)/.exec(out)?.[1];
      if (url && key) resolve({ url, key });
    });
  });
  await cli(["migrate"]);
  const env = { CLERK_API_URL: settings.url, CLERK_SECRET_KEY: settings.key };
  const report = JSON.parse((await cli(["resync", "--json"], env)).stdout) as { users: { created: number }; organizations: { created: number }; memberships: { created: number } };
  assert.deepEqual([report.users.created, report.organizations.created, report.memberships.created], [7, 2, 4]);
  const check = await cli(["resync", "--check"], env);
  assert.match(check.stdout, /In sync\./);
  // The app's clerk-resync.config.ts was loaded (through the package's tsx), not skipped.
  const { stderr } = await cli(["resync", "--dry-run", "--json"], { ...env, LOG_LEVEL: "debug" });
  assert.match(stderr, /"configSource":"clerk-resync\.config\.ts"/);
});

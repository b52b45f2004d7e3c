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
import pg from "pg";
import { pgConfigFromUrl } from "../../src/db/pg-config.ts";
import { createEmptyDatabase, dropDatabase } from "../support/admin.ts";
import { ROOT } from "../support/database.ts";
import { onFirstPassOnly } from "../support/passes.ts";

const run = promisify(execFile);
const skip = onFirstPassOnly;
const adminUrl = process.env.TEST_DATABASE_URL;
const rootPkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };

let app: string;
let prisma7App: string;
let bin: string;
const stops: (() => void)[] = [];

before(async () => {
  if (skip) return;
  const work = mkdtempSync(path.join(tmpdir(), "clerk-resync-adopt-"));
  // The test command built dist/ already. Pack's own scripts (prepack's build, prepare's generate)
  // would swap dist/ and the generated client under the CLI tests running beside this one.
  await run("pnpm", ["--config.ignore-scripts=true", "pack", "--pack-destination", work], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
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
  // The Prisma 7 app needs a PostgreSQL to seed (see its test): installed only then.
  if (adminUrl) prisma7App = createPrisma7App(work, path.join(work, tarball));
  // --ignore-scripts: Prisma's postinstall would download native engines, which this machine cannot.
  const install = (cwd: string) => run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd, maxBuffer: 64 * 1024 * 1024 });
  await Promise.all([install(app), ...(adminUrl ? [install(prisma7App)] : [])]);
  bin = path.join(app, "node_modules/.bin/clerk-resync");
});

/**
 * The same app on Prisma 7: the schema without a datasource url, the URL and the seed in
 * prisma.config.ts, Prisma 7's CLI and adapter, and no WASM-engine settings (Prisma 7 has none).
 */
/** Pinned: what the test shows is about this release, not whatever 7.x the registry has today. */
const PRISMA_7 = "7.10.1";

function createPrisma7App(work: string, tarball: string): string {
  const dir = path.join(work, "app-prisma7");
  cpSync(path.join(ROOT, "test/fixtures/adopter-app"), dir, { recursive: true });
  const schema = path.join(dir, "prisma/schema.prisma");
  writeFileSync(schema, readFileSync(schema, "utf8").replace(/^\s*\/\/ Kept although[^\n]*\n[^\n]*\n\s*url\s*=\s*env\("DATABASE_URL"\)\n/m, ""));
  writeFileSync(
    path.join(dir, "prisma.config.ts"),
    `import { defineConfig, env } from "prisma/config";\n\nexport default defineConfig({\n  schema: "prisma/schema.prisma",\n  migrations: { path: "prisma/migrations", seed: "node prisma/seed.mjs" },\n  datasource: { url: env("DATABASE_URL") },\n});\n`,
  );
  writeFileSync(path.join(dir, "prisma/seed.mjs"), `process.stdout.write("prisma 7 app seeded\\n");\n`);
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "scratch-app-prisma7", private: true, type: "module", dependencies: { "clerk-resync": `file:${tarball}` }, devDependencies: { prisma: PRISMA_7, "@prisma/adapter-pg": PRISMA_7 } }),
  );
  return dir;
}
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

// Prisma 7's CLI downloads a native schema engine for every command, `db seed` included; this
// machine cannot, so it is pointed at one that says so. Migrations and resets that need the engine
// cannot run here: what is tested is what reaches Prisma 7 (our arguments, the seed).
const NO_ENGINE = "the schema engine cannot be downloaded on this machine";

async function prisma7Database(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const name = `clerk_resync_prisma7_${process.pid}`;
  const url = await createEmptyDatabase(adminUrl!, name);
  // The mirror's tables, applied directly: Prisma 7's migrate needs the engine this machine lacks.
  const client = new pg.Client(pgConfigFromUrl(url));
  await client.connect();
  const migrations = path.join(prisma7App, "prisma/migrations");
  for (const dir of readdirSync(migrations).filter((d) => !d.endsWith(".toml")).sort()) await client.query(readFileSync(path.join(migrations, dir, "migration.sql"), "utf8"));
  await client.end();
  const engine = path.join(prisma7App, "no-schema-engine.sh");
  writeFileSync(engine, `#!/bin/sh\necho "${NO_ENGINE}" >&2\nexit 1\n`, { mode: 0o755 });
  return { env: { DATABASE_URL: url, PRISMA_SCHEMA_ENGINE_BINARY: engine }, drop: () => dropDatabase(adminUrl!, name) };
}

function prisma7Cli(args: string[], env: Record<string, string>) {
  return run(path.join(prisma7App, "node_modules/.bin/clerk-resync"), args, { cwd: prisma7App, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

test("a Prisma 7 app: clerk-resync seed runs its seed, and reset-force hands Prisma 7 only arguments it knows", { skip: skip || (!adminUrl && "needs TEST_DATABASE_URL"), timeout: 600_000 }, async () => {
  const major = JSON.parse(readFileSync(path.join(prisma7App, "node_modules/prisma/package.json"), "utf8")).version.split(".")[0];
  assert.equal(major, "7", "the scratch app runs Prisma 7");
  const db = await prisma7Database();
  try {
    const seeded = await prisma7Cli(["seed"], db.env);
    assert.equal(seeded.code, 0, seeded.out);
    assert.match(seeded.out, /prisma 7 app seeded/);
    // Prisma 7 dropped --skip-generate: given it, the CLI prints its help and never reaches the engine.
    const reset = await prisma7Cli(["reset-force", "--yes"], db.env);
    assert.notEqual(reset.code, 0);
    assert.doesNotMatch(reset.out, /Use --force to skip the confirmation prompt/);
    assert.match(reset.out, /prisma migrate reset --force failed[\s\S]*Schema engine error/);
  } finally {
    await db.drop();
  }
});

// An example app (examples/*) as its developers use it, in a copy outside the repository: its
// package.json scripts run as `pnpm <script>` would run them, and queries reach its database
// between two commands. On the suite's database kind: a fresh PostgreSQL database with
// TEST_DATABASE_URL, else the copy's embedded folder.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { pgConfigFromUrl } from "../../src/db/pg-config.ts";
import { createEmptyDatabase, dropDatabase } from "./admin.ts";
import { copyProject } from "./app-models-project.ts";

export interface ExampleApp {
  /** The copy's folder. */
  readonly dir: string;
  /** Environment every command gets (the emulator's URL and key, DATABASE_URL on PostgreSQL); add to it freely. */
  readonly env: Record<string, string | undefined>;
  /** The environment of a child in the app: its node_modules/.bin first on PATH. */
  childEnv(): NodeJS.ProcessEnv;
  /** `pnpm <script> [args]`: the script's command line (pnpm itself would try to resolve `workspace:*` in a copy). */
  run(script: string, ...args: string[]): Promise<{ code: number; out: string }>;
  /** run(), which must exit 0; its output. */
  ok(script: string, ...args: string[]): Promise<string>;
  /** A query between two commands (the embedded folder admits one process at a time). */
  query(sql: string, params?: unknown[]): Promise<Record<string, any>[]>;
  close(): Promise<void>;
}

export async function openExampleApp(example: string, env: Record<string, string | undefined>): Promise<ExampleApp> {
  const dir = copyProject(example);
  const adminUrl = process.env.TEST_DATABASE_URL;
  const dbName = `clerk_resync_${path.basename(example).replace(/\W/g, "_")}_${process.pid}`;
  if (adminUrl) env.DATABASE_URL = await createEmptyDatabase(adminUrl, dbName);
  const childEnv = () => ({ PATH: `${path.join(dir, "node_modules/.bin")}${path.delimiter}${process.env.PATH}`, HOME: process.env.HOME, ...env });
  const run = (script: string, ...args: string[]) => {
    const scripts = (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const line = [scripts[script], ...args.map((a) => `'${a}'`)].join(" ");
    return new Promise<{ code: number; out: string }>((resolve) => {
      execFile("sh", ["-c", line], { cwd: dir, env: childEnv(), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
  };
  return {
    dir,
    env,
    childEnv,
    run,
    async ok(script, ...args) {
      const { code, out } = await run(script, ...args);
      assert.equal(code, 0, `pnpm ${script} ${args.join(" ")} failed:\n${out}`);
      return out;
    },
    async query(sql, params = []) {
      if (env.DATABASE_URL) {
        const client = new pg.Client(pgConfigFromUrl(env.DATABASE_URL));
        await client.connect();
        try {
          return (await client.query(sql, params)).rows;
        } finally {
          await client.end();
        }
      }
      const db = await PGlite.create({ dataDir: path.join(dir, ".data/pglite") });
      try {
        return (await db.query<Record<string, any>>(sql, params)).rows;
      } finally {
        await db.close();
      }
    },
    async close() {
      if (adminUrl) await dropDatabase(adminUrl, dbName);
    },
  };
}

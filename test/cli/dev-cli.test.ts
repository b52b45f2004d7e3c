import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";
import { secretKeyForSeed } from "../../src/clerk-emulator/ids.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "../support/database.ts";
import { prismaClient } from "../../src/db/prisma-client.ts";
import { CLI } from "../support/cli.ts";

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.close();
});

test("pnpm dev brings the services up, prints their settings, and stops cleanly on Ctrl-C", { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [CLI, "dev", "--json", "--users", "12", "--emulator-port", "0"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: t.url, LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      stdout += d;
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!);
    });
    child.on("close", (code) => reject(new Error(`dev exited early (${code}): ${stderr}`)));
  });
  const { services } = JSON.parse(line) as { services: Record<string, string> };
  assert.equal(services.DATABASE_URL, t.url);
  assert.equal(services.CLERK_SECRET_KEY, secretKeyForSeed(1), "the same key on every start: .env stays valid");
  const res = await fetch(`${services.CLERK_API_URL}/v1/users/count`, { headers: { Authorization: `Bearer ${services.CLERK_SECRET_KEY}` } });
  assert.deepEqual(await res.json(), { object: "total_count", total_count: 12 });
  assert.ok((await (await prismaClient(t.db)).mcpServer.count()) > 0, "seeded");
  const code = await new Promise<number | null>((resolve) => {
    child.removeAllListeners("close");
    child.on("close", resolve);
    child.kill("SIGINT");
  });
  assert.equal(code, 0, stderr);
});

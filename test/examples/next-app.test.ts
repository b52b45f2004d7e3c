// examples/next-app as its developers use it: an app with its own User (Int id + clerkId), Team
// (cuid id + clerkOrgId) and membership join model, on the workspace-linked clerk-resync bin with
// the mapping `init` wrote. Its scripts: migrate, seed, resync (--dry-run shows what maps where,
// --check), db:reset keeping every row and id, --watch ticks; and its App Router route
// (app/api/webhooks/clerk/route.ts) applying signed events. Run in a copy of the example against
// the emulator, on the suite's database kind.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { serializeMembership, serializeUser } from "../../src/clerk-emulator/serialize.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { webhookSecretFor } from "../../src/clerk-emulator/webhook-sender.ts";
import { NEXT_APP } from "../support/app-models-project.ts";
import { waitForOutput } from "../support/cli.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { signedEvent } from "../support/signed-event.ts";
import { openExampleApp, type ExampleApp } from "../support/example-app.ts";

const SECRET = webhookSecretFor(63);

let ex: ExampleApp;
let emu: RunningEmulator;

before(async () => {
  emu = await startTestEmulator({ users: 10, orgs: 2, membershipsPerOrg: 3, seed: 63 });
  ex = await openExampleApp(NEXT_APP, { CLERK_API_URL: emu.url, CLERK_SECRET_KEY: emu.secretKey, CLERK_REQUESTS_PER_WINDOW: "1000", CLERK_WEBHOOK_SIGNING_SECRET: SECRET, LOG_LEVEL: "warn" });
});
after(async () => {
  await emu?.close();
  await ex?.close();
});

const pnpm = (script: string, ...args: string[]) => ex.run(script, ...args);
const ok = (script: string, ...args: string[]) => ex.ok(script, ...args);
const query = (sql: string, params?: unknown[]) => ex.query(sql, params);

/** Every row of every app table and of Clerk's, as text (what a reset must keep, ids included). */
async function everyRow(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of ["users", "Team", "TeamMember", "Post", "Note", "ClerkTombstone"]) {
    out[table] = (await query(`SELECT t::text AS row FROM "${table}" t ORDER BY 1`)).map((r) => r.row);
  }
  return out;
}

test("migrate, seed, resync through the mapping, then db:reset keeps every row and every app id; --check tells drift", { timeout: 600_000 }, async () => {
  await ok("db:migrate");
  await ok("db:seed");
  const plan = await ok("clerk:resync", "--dry-run");
  assert.match(plan, /users → "users": Clerk id in "clerkId", app key "id" \(the database's default\)/);
  assert.match(plan, /organizations → "Team": Clerk id in "clerkOrgId", app key "id" \(cuid made on insert\)/);
  await ok("clerk:resync");
  const users = await query(`SELECT id, "clerkId" FROM users ORDER BY id`);
  assert.equal(users.length, 10);
  assert.deepEqual(users.map((u) => u.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // The app's own data: posts on the Int id (with a gap), notes by plain orgId, a seat on a membership.
  for (const u of users.slice(0, 4)) await query(`INSERT INTO "Post" ("authorId", title) VALUES ($1, 'hello')`, [u.id]);
  await query(`DELETE FROM "Post" WHERE id = 2`);
  for (const t of await query(`SELECT "clerkOrgId" FROM "Team"`)) await query(`INSERT INTO "Note" ("orgId", body) VALUES ($1, 'standup at 10')`, [t.clerkOrgId]);
  await query(`UPDATE "TeamMember" SET seat = 'desk 1' WHERE id = 1`);
  const before = await everyRow();

  assert.match(await ok("db:reset", "--yes"), /complete in/);
  assert.deepEqual(await everyRow(), before, "every row of every table, ids included");
  await ok("clerk:resync", "--check");

  const renamed = users[0]!.clerkId as string;
  emu.store.updateUser(renamed, { firstName: "Renamed in Clerk" });
  const drift = await pnpm("clerk:resync", "--check");
  assert.equal(drift.code, 2, drift.out);
});

test("--watch brings a Clerk change in on its next tick; the App Router route applies signed events into the app's tables", { timeout: 600_000 }, async () => {
  // Read before the watcher starts: on the embedded database it holds the folder until it stops.
  const [someone] = await query(`SELECT id, "clerkId" FROM users ORDER BY id LIMIT 1 OFFSET 1`);
  const watcher = spawn("sh", ["-c", "exec clerk-resync resync --watch --interval 300ms"], { cwd: ex.dir, env: ex.childEnv() });
  let output = "";
  watcher.stdout.on("data", (d) => (output += d));
  watcher.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => watcher.on("exit", (code) => resolve(code)));
  emu.store.updateUser(someone!.clerkId, { lastName: "Watched" });
  await waitForOutput(() => output, new RegExp(`~ ${someone!.clerkId} .*: lastName`), 60_000).catch((err) => assert.fail(`${err}\n${output}`));
  watcher.kill("SIGINT");
  assert.equal(await exited, 0, output);
  assert.deepEqual(await query(`SELECT id, last_name FROM users WHERE "clerkId" = $1`, [someone!.clerkId]), [{ id: someone!.id, last_name: "Watched" }]);

  // Two signed deliveries through the example's route, in a process of its own (as the app's server).
  const carol = emu.store.createUser({ emailAddresses: ["carol@example.com"], firstName: "Carol" });
  const team = [...emu.store.organizations.values()][0]!;
  const membership = emu.store.createMembership(team.id, carol.id, "org:member");
  const deliveries = [
    { id: "msg_next_1", type: "user.created", data: serializeUser(carol) },
    { id: "msg_next_2", type: "organizationMembership.created", data: serializeMembership(membership, emu.store) },
  ].map(({ id, type, data }) => signedEvent(SECRET, { type, data, instanceId: emu.store.instanceId, msgId: id }));
  writeFileSync(path.join(ex.dir, "deliver.ts"), DELIVER);
  const deliver = (handler: string, batch: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const child = execFile(process.execPath, ["--import", "tsx", "deliver.ts", handler], { cwd: ex.dir, env: ex.childEnv() }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout))));
      child.stdin!.end(JSON.stringify(batch));
    });
  // The route as the example writes it (the config imported), then handleClerkWebhook, which
  // reads the same config file itself in a server that is not bundled.
  assert.deepEqual(await deliver("route", deliveries.slice(0, 1)), [{ status: 200, outcome: "applied" }]);
  assert.deepEqual(await deliver("handleClerkWebhook", deliveries.slice(1)), [{ status: 200, outcome: "applied" }]);
  const [row] = await query(`SELECT u.id, u.first_name, m.role, t."clerkOrgId" FROM "TeamMember" m JOIN users u ON u.id = m."userId" JOIN "Team" t ON t.id = m."teamId" WHERE m."clerkMembershipId" = $1`, [membership.id]);
  assert.deepEqual(row, { id: 11, first_name: "Carol", role: "org:member", clerkOrgId: team.id }, "the next Int id, joined on the app keys");
  await ok("clerk:resync", "--check");
});

// The app's server, reduced to its route: POST each delivery to app/api/webhooks/clerk/route.ts
// (or to handleClerkWebhook).
const DELIVER = `import { POST } from "./app/api/webhooks/clerk/route.ts";
import { handleClerkWebhook } from "clerk-resync/webhooks";
const handler = process.argv[2] === "handleClerkWebhook" ? handleClerkWebhook : POST;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const d of JSON.parse(input)) {
  const res = await handler(new Request("http://localhost/api/webhooks/clerk", { method: "POST", headers: d.headers, body: d.body }));
  out.push({ status: res.status, outcome: (await res.json()).outcome });
}
process.stdout.write(JSON.stringify(out));
process.exit(0);
`;

// db:reset in an app whose schema grew the way real apps grow it: Int autoincrement ids with gaps
// (copied into Clerk metadata), a NOT NULL app column on User with no default, a table with no
// primary key holding duplicate rows, org data keyed by a plain orgId with no foreign key, cuid
// keys, enums, bytes, decimals, 64-bit integers, arrays and JSON. The whole database round-trips
// exactly (pg_dump --data-only of every table, the mirror's syncedAt aside), with no code change.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import type { Config } from "../../src/config.ts";
import { addOrgLocalData } from "../../src/demo/sample-data.ts";
import { seedDefaults } from "../../examples/seed-app/prisma/seed-defaults.ts";
import { SafetyError, SidecarFormatError } from "../../src/errors.ts";
import { silentLogger } from "../../src/log.ts";
import { runReset } from "../../src/reset/run-reset.ts";
import { readSidecarFile } from "../../src/sidecar/files.ts";
import { readLocalTables } from "../../src/sidecar/local-tables.ts";
import { checkSidecar, restoreSidecar } from "../../src/sidecar/restore.ts";
import { loadAppConfig } from "../../src/app-config.ts";
import { dataDump, pgDump } from "../support/dump.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { createGrownProject } from "../support/grown-project.ts";
import { createResetDatabase, type ResetDatabase } from "../support/reset-database.ts";
import { apiFor, resync } from "../support/sync.ts";

const project = createGrownProject({ McpServer: "seeded", FeatureFlag: "keep", OrgQuota: "keep" });
let r: ResetDatabase;
let emu: RunningEmulator;
const q = async (sql: string, params: unknown[] = []) => (await (await r.open()).pool.query(sql, params)).rows;

before(async () => {
  r = await createResetDatabase({ rootDir: project });
  emu = await startTestEmulator({ users: 30, orgs: 5, membershipsPerOrg: 4, seed: 9 });
  const db = await r.open();
  await seedDefaults(db);
  // The app fills User.appRole when it creates its users (a signup hook); here, a default for the first sync.
  await q(`ALTER TABLE "User" ALTER COLUMN "appRole" SET DEFAULT 'member'`);
  await resync(emu, db);
  await q(`ALTER TABLE "User" ALTER COLUMN "appRole" DROP DEFAULT`);
  await addOrgLocalData(db);
  await fillGrownTables();
  // The app keeps its DB ids in Clerk: every project's id is in its owner's public metadata.
  for (const p of await q(`SELECT id, "ownerId" FROM "Project" ORDER BY id`)) emu.store.updateUser(p.ownerId, { publicMetadata: { projectId: p.id } });
  await resync(emu, db);
});
after(async () => {
  await emu.close();
  await r.close();
});

/** The project's own configuration (its clerk-resync.config.ts), as the CLI would load it. */
const configFor = async (rootDir: string): Promise<Config> =>
  r.config({ rootDir, tables: (await loadAppConfig(rootDir)).tables, sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-grown-backups-")), clerk: { secretKey: emu.secretKey, apiUrl: emu.url, requestsPerWindow: 1000, windowMs: 10_000 } });
const reset = async (config: Config) => runReset({ config, db: await r.open(), api: apiFor(emu), log: silentLogger }, { yes: false, forceInstance: false });
const snapshot = async () => ({ data: await dataDump(await r.open()), dump: pgDump(await r.open()) });

async function fillGrownTables(): Promise<void> {
  const orgs = (await q(`SELECT id FROM "Organization" ORDER BY id LIMIT 3`)).map((x) => x.id as string);
  for (const [i, org] of orgs.entries()) {
    for (const name of ["onboarding", "offboarding ✓"]) {
      const [w] = await q(`INSERT INTO "Workflow" ("organizationId", name, definition, "createdAt", "updatedAt") VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
        org, name, { steps: 3, label: `Ünïcødé ${i}`, nested: { deep: [1, "two", null] } }, `2024-0${i + 1}-02T03:04:05.678Z`, `2025-0${i + 1}-02T03:04:05.679Z`,
      ]);
      let parent: number | null = null;
      for (const action of ["invite", "assign", "notify"]) {
        const [s] = await q(`INSERT INTO "WorkflowStep" ("workflowId", "parentStepId", action, weight, "createdAt") VALUES ($1, $2, $3, $4, $5) RETURNING id`, [w.id, parent, action, "1234.5678", "2024-05-06T07:08:09.123Z"]);
        parent = s.id;
      }
    }
    await q(`INSERT INTO "OrgQuota" ("orgId", seats, labels) VALUES ($1, $2, $3)`, [org, 5 + i, ["a", `b ${i}`]]);
  }
  // Gaps: deleted workflows and projects leave holes the reset must not close.
  await q(`DELETE FROM "Workflow" WHERE id IN (SELECT id FROM "Workflow" ORDER BY id LIMIT 1)`);
  // A sequence restarted past its rows: its next value is 500, not one past the largest id.
  await q(`ALTER SEQUENCE "Workflow_id_seq" RESTART WITH 500`);
  const users = (await q(`SELECT id FROM "User" ORDER BY id LIMIT 8`)).map((x) => x.id as string);
  for (const [i, user] of users.entries()) {
    await q(`INSERT INTO "Project" ("ownerId", title, tier, "quotaBytes") VALUES ($1, $2, $3, $4)`, [user, `p${i}`, ["free", "pro", "enterprise"][i % 3], (2n ** 62n + BigInt(i)).toString()]);
    await q(`UPDATE "User" SET "appRole" = $2 WHERE id = $1`, [user, i % 2 ? "admin" : "editor"]);
  }
  // 8 was the last project made: its id is gone from the table, not from the app's URLs.
  await q(`DELETE FROM "Project" WHERE id IN (2, 3, 6, 8)`);
  for (const [i, user] of users.slice(0, 5).entries()) {
    await q(`INSERT INTO "UserSetting" (id, "userId", key, value, tags, blob, "happenedAt", "createdAt") VALUES ($1, $2, 'theme', $3, $4, $5, '2020-02-29 12:34:56.789', '2023-01-01T00:00:00.001Z')`, [
      `ckz${i}x9q2m0000abcd${i}`, user, { dark: i % 2 === 0, size: 1.5 }, ["a", "b c", `"q${i}"`], Buffer.from([0, 255, i]),
    ]);
    if (i < 4) await q(`UPDATE "User" SET "stripeCustomerId" = $2 WHERE id = $1`, [user, `cus_${i}`]);
  }
  // The same event twice (a table with no key keeps both), and one more.
  for (const action of ["login", "login", "export"]) await q(`INSERT INTO "AuditEvent" ("userId", action, at) VALUES ($1, $2, '2024-01-01T00:00:00Z')`, [users[0], action]);
  await q(`UPDATE "Organization" SET plan = 'pro' WHERE id = ANY($1)`, [orgs.slice(0, 2)]);
  const mems = (await q(`SELECT id FROM "OrganizationMembership" ORDER BY id LIMIT 3`)).map((x) => x.id as string);
  for (const m of mems) await q(`INSERT INTO "MembershipNote" ("membershipId", note) VALUES ($1, 'mentor')`, [m]);
  await q(`INSERT INTO "FeatureFlag" (name, enabled) VALUES ('beta', true), ('new-billing', false)`);
  const [server] = await q(`SELECT id FROM "McpServer" WHERE name = 'github'`);
  await q(`INSERT INTO "OrganizationService" ("organizationId", "mcpServerId", config) VALUES ($1, $2, $3)
           ON CONFLICT ("organizationId", "mcpServerId") DO UPDATE SET config = EXCLUDED.config`, [orgs[2], server.id, { apiKey: "ghp_keep_me_locally", region: "eu" }]);
}

test("every row of every table of a grown schema comes back exactly after db:reset, ids included", async () => {
  const before = await snapshot();
  assert.equal(before.data.AuditEvent!.length, 3);
  assert.deepEqual((await q(`SELECT id FROM "Project" ORDER BY id`)).map((x) => x.id), [1, 4, 5, 7], "ids with gaps");
  const report = await reset(await configFor(project));
  assert.equal(report.verified, true, JSON.stringify(report.tables));
  const after = await snapshot();
  assert.deepEqual(after.data, before.data);
  assert.equal(after.dump, before.dump, "pg_dump --data-only of every table");
  if (before.dump !== null) assert.match(before.dump, /COPY public\."Project"/, "pg_dump saw the app's tables");
  assert.match(readFileSync(report.backup, "utf8"), /ghp_keep_me_locally/, "the local backup keeps the token");

  // The ids the app copied into Clerk still name the same rows.
  for (const u of await q(`SELECT id, "publicMetadata" FROM "User" WHERE "publicMetadata" ? 'projectId'`)) {
    const [p] = await q(`SELECT "ownerId" FROM "Project" WHERE id = $1`, [u.publicMetadata.projectId]);
    assert.equal(p?.ownerId, u.id);
  }
  // Sequences are where the live database left them: the next insert neither collides nor
  // reuses a deleted row's id.
  const [next] = await q(`INSERT INTO "Project" ("ownerId", title) VALUES ((SELECT min(id) FROM "User"), 'new') RETURNING id`);
  assert.equal(next.id, 9, "8 is never handed out again");
  await q(`DELETE FROM "Project" WHERE id = 9`);

  // A second restore of the same file changes nothing, and moves no sequence back (9 was handed out).
  const db = await r.open();
  const again = await restoreSidecar(db.pool, readSidecarFile(report.backup), await readLocalTables(db.pool, await loadAppConfig(project)));
  assert.deepEqual(again.tables.filter((x) => x.created || x.updated), []);
  const sequences = before.data["(sequences)"]!.map((s) => (s === "Project_id_seq 8" ? "Project_id_seq 9" : s));
  assert.deepEqual((await snapshot()).data, { ...before.data, "(sequences)": sequences });
});

test("db:restore brings a table without a key back as a multiset: each row as many times as it was saved", async () => {
  const config = await configFor(project);
  const report = await reset(config);
  const db = await r.open();
  await q(`DELETE FROM "AuditEvent" WHERE ctid = (SELECT ctid FROM "AuditEvent" WHERE action = 'login' LIMIT 1)`);
  assert.equal((await q(`SELECT count(*)::int AS n FROM "AuditEvent"`))[0].n, 2);
  const tables = await readLocalTables(db.pool, await loadAppConfig(project));
  const restored = await restoreSidecar(db.pool, readSidecarFile(report.backup), tables);
  assert.equal(restored.tables.find((x) => x.table === "AuditEvent")?.created, 1);
  assert.deepEqual((await q(`SELECT action FROM "AuditEvent" ORDER BY action`)).map((x) => x.action), ["export", "login", "login"]);
  const twice = await restoreSidecar(db.pool, readSidecarFile(report.backup), tables);
  assert.equal(twice.tables.find((x) => x.table === "AuditEvent")?.created, 0, "idempotent");
});

test("a sidecar with a NUL character is refused before anything is written, sequences included", async () => {
  const config = await configFor(project);
  const report = await reset(config);
  const file = JSON.parse(readFileSync(report.backup, "utf8"));
  file.tables.Project.rows[0].title = "bad\u0000title";
  const bad = path.join(config.sidecarDir, "nul.json");
  writeFileSync(bad, JSON.stringify(file));
  const db = await r.open();
  const before = { data: await dataDump(db), seq: await q(`SELECT last_value, is_called FROM "Project_id_seq"`) };
  const tables = await readLocalTables(db.pool, await loadAppConfig(project));
  assert.throws(() => checkSidecar(readSidecarFile(bad), tables, bad), (err: unknown) => {
    assert.ok(err instanceof SidecarFormatError);
    assert.match(err.message, /nul\.json: Project row 1 \(id 1\), column title, holds a NUL character \(\\u0000\), which PostgreSQL cannot store in text or JSON\. Remove it from the file \(or edit that value\) and restore again; nothing was restored$/);
    return true;
  });
  assert.deepEqual({ data: await dataDump(db), seq: await q(`SELECT last_value, is_called FROM "Project_id_seq"`) }, before);
});

test("a NOT NULL app column with no default and a Clerk user this database never saw: preflight refuses, naming the table, the column and the fix", async () => {
  const config = await configFor(project);
  const newcomer = emu.store.createUser({ firstName: "New", emailAddresses: ["new@example.test"] });
  try {
    const before = await snapshot();
    await assert.rejects(reset(config), (err: unknown) => {
      assert.ok(err instanceof SafetyError);
      assert.match(err.message, new RegExp(`^db:reset cannot bring back every Clerk record: 1 Clerk users \\(${newcomer.id}\\) have no row here, and "User"\\."appRole" is NOT NULL with no default, so there is no value to write\\. Give the column a default or make it optional in schema\\.prisma .*Nothing was changed\\.$`));
      return true;
    });
    assert.deepEqual(await snapshot(), before);
    assert.deepEqual(readdirSync(config.sidecarDir), [], "refused before the backup");
  } finally {
    emu.store.deleteUser(newcomer.id);
  }
});

test("an unclassified standalone table with rows stops db:reset in preflight; nothing is touched", async () => {
  const config = await configFor(createGrownProject({ McpServer: "seeded", OrgQuota: "keep" }));
  const before = await snapshot();
  await assert.rejects(reset(config), (err: unknown) => {
    assert.ok(err instanceof SafetyError);
    assert.match(err.message, /^db:reset would lose FeatureFlag \(2 rows\): this table belongs to no user or organization and is not classified\. Say what each is in clerk-resync\.config\.ts, `tables: \{ "FeatureFlag": "keep" \}` \(or package\.json "clerkResync": \{ "tables": … \}\) — "keep" \(backed up and restored whole\), "seeded" \(the seed recreates it\) or "disposable" \(may be lost\)\. Nothing was changed\.$/);
    return true;
  });
  assert.deepEqual(await snapshot(), before);
  assert.deepEqual(readdirSync(config.sidecarDir), []);
});

test("a seed that ignores ?schema= and writes into the live data stops db:reset before the resync, naming it and the fix", { skip: !process.env.TEST_DATABASE_URL && "on PGlite the build is a database of its own: a seed cannot reach the live one" }, async () => {
  const project = createGrownProject({ McpServer: "seeded", FeatureFlag: "keep", OrgQuota: "keep" });
  // The careless seed: the URL's ?schema= dropped, so its writes land in the live schema.
  writeFileSync(
    path.join(project, "careless-seed.mjs"),
    `import pg from "pg";\nconst u = new URL(process.env.DATABASE_URL);\nu.searchParams.delete("schema");\nconst c = new pg.Client(u.toString());\nawait c.connect();\nawait c.query(\`INSERT INTO "Prompt" (name, content) VALUES ('careless', 'x')\`);\nawait c.end();\n`,
  );
  const prismaConfig = path.join(project, "prisma.config.ts");
  writeFileSync(prismaConfig, readFileSync(prismaConfig, "utf8").replace(/seed: "[^"]*"/, 'seed: "node careless-seed.mjs"'));
  const config = await configFor(project);
  try {
    await assert.rejects(reset(config), (err: unknown) => {
      assert.ok(err instanceof SafetyError, String(err));
      assert.match(err.message, /^db:reset stopped: while the app's seed ran on the new database, the live one changed \(Prompt\)\. Most likely the seed wrote into the live schema/);
      assert.match(err.message, /puts changed and deleted rows back, but rows the seed added to the live tables stay until you delete them\. The new database was dropped\.$/);
      return true;
    });
    assert.deepEqual(await q(`SELECT nspname FROM pg_namespace WHERE nspname LIKE '%clerk_resync_build'`), [], "the unfinished build schema is gone");
  } finally {
    await q(`DELETE FROM "Prompt" WHERE name = 'careless' AND "organizationId" IS NULL`);
  }
});

test("no id the live database handed out is handed out again: a disposable table emptied by the reset, a default the seed adds since, an insert rolled back during the build", async () => {
  const project = createGrownProject({ McpServer: "seeded", FeatureFlag: "disposable", OrgQuota: "keep" });
  const concurrent = Boolean(process.env.TEST_DATABASE_URL);
  // The seed gained a default since the live database was seeded: it runs after the app's seed.
  writeFileSync(
    path.join(project, "new-default-seed.mjs"),
    `import pg from "pg";\nconst u = new URL(process.env.DATABASE_URL);\nconst schema = u.searchParams.get("schema");\nu.searchParams.delete("schema");\nconst c = new pg.Client({ connectionString: u.toString(), ...(schema ? { options: \`-c search_path="\${schema}"\` } : {}) });\nawait c.connect();\nawait c.query(\`INSERT INTO "McpServer" (name, url) VALUES ('new-default', 'https://example.test') ON CONFLICT DO NOTHING\`);\nawait c.end();\n`,
  );
  // On PostgreSQL the build is a schema beside the live one: while the seed runs, another session
  // spends a Project id and rolls back, so no row changes and the switch goes ahead.
  writeFileSync(
    path.join(project, "spend-seed.mjs"),
    `import pg from "pg";\nconst u = new URL(process.env.DATABASE_URL);\nu.searchParams.delete("schema");\nconst c = new pg.Client(u.toString());\nawait c.connect();\nawait c.query("BEGIN");\nawait c.query(\`INSERT INTO "Project" ("ownerId", title) VALUES ((SELECT min(id) FROM "User"), 'spent') RETURNING id\`);\nawait c.query("ROLLBACK");\nawait c.end();\n`,
  );
  // One command, as Prisma runs it (no shell): the scripts around the app's own seed.
  const prismaConfig = path.join(project, "prisma.config.ts");
  const appSeed = /seed: "([^"]*)"/.exec(readFileSync(prismaConfig, "utf8"))![1]!;
  const steps = [...(concurrent ? ["node spend-seed.mjs"] : []), appSeed, "node new-default-seed.mjs"];
  writeFileSync(path.join(project, "seed-all.mjs"), `import { execSync } from "node:child_process";\nfor (const step of ${JSON.stringify(steps)}) execSync(step, { stdio: "inherit" });\n`);
  writeFileSync(prismaConfig, readFileSync(prismaConfig, "utf8").replace(/seed: "[^"]*"/, 'seed: "node seed-all.mjs"'));

  const [flags] = await q(`SELECT count(*)::int AS n, max(id) AS top FROM "FeatureFlag"`);
  assert.ok(flags.n > 0, "the disposable table has rows to lose");
  // The live database's last McpServer is gone, and its id with it.
  const [custom] = await q(`INSERT INTO "McpServer" (name, url) VALUES ('custom', 'https://example.test') RETURNING id`);
  await q(`DELETE FROM "McpServer" WHERE id = $1`, [custom.id]);
  const [project0] = await q(`SELECT last_value::int AS last FROM "Project_id_seq"`);
  const report = await reset(await configFor(project));
  assert.equal(report.verified, true);

  const [added] = await q(`SELECT id FROM "McpServer" WHERE name = 'new-default'`);
  assert.ok(added.id > custom.id, `the seed's new default took ${added.id}, an id the live database handed out (up to ${custom.id})`);
  assert.deepEqual(await q(`SELECT id FROM "FeatureFlag"`), [], "a disposable table's rows are not kept");
  const [flag] = await q(`INSERT INTO "FeatureFlag" (name, enabled) VALUES ('after', true) RETURNING id`);
  assert.equal(flag.id, flags.top + 1, "its ids are not handed out again");
  const [next] = await q(`INSERT INTO "Project" ("ownerId", title) VALUES ((SELECT min(id) FROM "User"), 'after') RETURNING id`);
  assert.equal(next.id, project0.last + (concurrent ? 2 : 1), concurrent ? "past the id the rolled-back insert spent during the build" : "past the last id");
  await q(`DELETE FROM "Project" WHERE id = $1`, [next.id]);
  await q(`DELETE FROM "FeatureFlag" WHERE id = $1`, [flag.id]);
  await q(`DELETE FROM "McpServer" WHERE id = $1`, [added.id]);
});

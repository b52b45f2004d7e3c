// db:reset in an app whose schema grew: new org-, user- and membership-scoped tables, a standalone
// one, and app columns on Clerk's tables come back whole with no code change; an unclassified
// standalone table with rows stops the reset before anything is touched.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { addOrgLocalData, tableDump } from "../../src/db/demo-data.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { runPrismaCliOrThrow } from "../../src/db/prisma-cli.ts";
import { seedDefaults } from "../../src/db/seed-defaults.ts";
import { SafetyError } from "../../src/errors.ts";
import { silentLogger } from "../../src/log.ts";
import { runReset } from "../../src/reset/run-reset.ts";
import { readSidecarFile } from "../../src/sidecar/files.ts";
import { readLocalTables } from "../../src/sidecar/local-tables.ts";
import { restoreSidecar } from "../../src/sidecar/restore.ts";
import { readTableClasses } from "../../src/sidecar/table-config.ts";
import { createTestDatabase, ROOT, type TestDatabase } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";
import { createGrownProject } from "../support/grown-project.ts";
import { apiFor, resync } from "../support/sync.ts";

let t: TestDatabase;
let emu: RunningEmulator;
const project = createGrownProject({ McpServer: "seeded", FeatureFlag: "keep" });

before(async () => {
  t = await createTestDatabase();
  emu = await startTestEmulator({ users: 30, orgs: 5, membershipsPerOrg: 4, seed: 9 });
  await runPrismaCliOrThrow(["migrate", "deploy"], { databaseUrl: t.url, cwd: project });
  await seedDefaults(t.db.prisma);
  await resync(emu, t.db);
  await addOrgLocalData(t.db);
  await fillGrownTables();
});
after(async () => {
  await emu.close();
  await t.close();
});

const configFor = (rootDir: string): Config => ({
  ...loadConfig({}, ROOT),
  rootDir,
  databaseUrl: t.url,
  sidecarDir: mkdtempSync(path.join(tmpdir(), "clerk-resync-grown-backups-")),
  clerk: { secretKey: emu.secretKey, apiUrl: emu.url, requestsPerWindow: 1000, windowMs: 10_000 },
});
const reset = (config: Config) => runReset({ config, db: t.db, api: apiFor(emu), log: silentLogger }, { yes: false, forceInstance: false });

async function fillGrownTables(): Promise<void> {
  const q = (sql: string, params: unknown[] = []) => t.db.pool.query(sql, params);
  const orgs = (await q(`SELECT id FROM "Organization" ORDER BY id LIMIT 3`)).rows.map((r) => r.id as string);
  for (const [i, org] of orgs.entries()) {
    for (const name of ["onboarding", "offboarding ✓"]) {
      const w = await q(`INSERT INTO "Workflow" ("organizationId", name, definition, "createdAt", "updatedAt") VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
        org, name, { steps: 3, label: `Ünïcødé ${i}`, nested: { deep: [1, "two", null] } }, `2024-0${i + 1}-02T03:04:05.678Z`, `2025-0${i + 1}-02T03:04:05.679Z`,
      ]);
      let parent: number | null = null;
      for (const action of ["invite", "assign", "notify"]) {
        const s = await q(`INSERT INTO "WorkflowStep" ("workflowId", "parentStepId", action, weight, "createdAt") VALUES ($1, $2, $3, $4, $5) RETURNING id`, [w.rows[0].id, parent, action, "1234.5678", "2024-05-06T07:08:09.123Z"]);
        parent = s.rows[0].id;
      }
    }
  }
  const users = (await q(`SELECT id FROM "User" ORDER BY id LIMIT 5`)).rows.map((r) => r.id as string);
  for (const [i, user] of users.entries()) {
    await q(`INSERT INTO "UserSetting" (id, "userId", key, value, tags, blob, "happenedAt", "createdAt") VALUES ($1, $2, 'theme', $3, $4, $5, '2020-02-29 12:34:56.789', '2023-01-01T00:00:00.001Z')`, [
      `ckz${i}x9q2m0000abcd${i}`, user, { dark: i % 2 === 0, size: 1.5 }, ["a", "b c", `"q${i}"`], Buffer.from([0, 255, i]),
    ]);
    if (i < 4) await q(`UPDATE "User" SET "stripeCustomerId" = $2 WHERE id = $1`, [user, `cus_${i}`]);
  }
  await q(`UPDATE "Organization" SET plan = 'pro' WHERE id = ANY($1)`, [orgs.slice(0, 2)]);
  const mems = (await q(`SELECT id FROM "OrganizationMembership" ORDER BY id LIMIT 3`)).rows.map((r) => r.id as string);
  for (const m of mems) await q(`INSERT INTO "MembershipNote" ("membershipId", note) VALUES ($1, 'mentor')`, [m]);
  await q(`INSERT INTO "FeatureFlag" (name, enabled) VALUES ('beta', true), ('new-billing', false)`);
  const server = (await q(`SELECT id FROM "McpServer" WHERE name = 'github'`)).rows[0].id;
  await q(`INSERT INTO "OrganizationService" ("organizationId", "mcpServerId", config) VALUES ($1, $2, $3)
           ON CONFLICT ("organizationId", "mcpServerId") DO UPDATE SET config = EXCLUDED.config`, [orgs[2], server, { apiKey: "ghp_keep_me_locally", region: "eu" }]);
}

/** Whole tables in a form without serial ids: links to serial rows are followed to what they name. */
async function grownDump(): Promise<Record<string, unknown[]>> {
  const q = async (sql: string) => (await t.db.pool.query(sql)).rows;
  return {
    ...(await tableDump(t.db)),
    workflows: await q(`SELECT "organizationId", name, definition, "createdAt", "updatedAt" FROM "Workflow" ORDER BY 1, 2`),
    steps: await q(`SELECT w."organizationId", w.name, s.action, s.weight::text, s."createdAt", p.action AS parent
                      FROM "WorkflowStep" s JOIN "Workflow" w ON w.id = s."workflowId" LEFT JOIN "WorkflowStep" p ON p.id = s."parentStepId" ORDER BY 1, 2, 3`),
    settings: await q(`SELECT id, "userId", key, value, tags, encode(blob, 'hex') AS blob, "happenedAt"::text, "createdAt" FROM "UserSetting" ORDER BY id`),
    notes: await q(`SELECT * FROM "MembershipNote" ORDER BY 1`),
    flags: await q(`SELECT name, enabled FROM "FeatureFlag" ORDER BY 1`),
    appUserColumns: await q(`SELECT id, "stripeCustomerId" FROM "User" ORDER BY id`),
    appOrgColumns: await q(`SELECT id, plan FROM "Organization" ORDER BY id`),
    services: await q(`SELECT s."organizationId", m.name, s.enabled, s.config, s."createdAt", s."updatedAt" FROM "OrganizationService" s JOIN "McpServer" m ON m.id = s."mcpServerId" ORDER BY 1, 2`),
  };
}

test("every table of a grown schema comes back identical after db:reset, with no code change", async () => {
  const before = await grownDump();
  assert.equal(before.steps!.length, 18);
  const report = await reset(configFor(project));
  assert.equal(report.verified, true, JSON.stringify(report.tables));
  assert.deepEqual(await grownDump(), before);
  const verified = Object.fromEntries(report.tables.map((x) => [x.table, x.expected]));
  assert.deepEqual(verified, { FeatureFlag: 2, MembershipNote: 3, Organization: 5, OrganizationService: before.services!.length, Prompt: 8, Resource: 4, User: 30, UserSetting: 5, Workflow: 6, WorkflowStep: 18 });
  assert.ok(report.tables.every((x) => x.identical && x.actual === x.expected));
  assert.match(readFileSync(report.backup, "utf8"), /ghp_keep_me_locally/, "the local backup keeps the token");

  // A second restore of the same file changes nothing.
  const tables = await readLocalTables(t.db.pool, readTableClasses(project));
  const again = await restoreSidecar(t.db.pool, readSidecarFile(report.backup), tables);
  assert.deepEqual(again.tables.filter((x) => x.created || x.updated), []);
  assert.deepEqual(await grownDump(), before);
});

test("an unclassified standalone table with rows stops db:reset in preflight; nothing is touched", async () => {
  const config = configFor(createGrownProject({ McpServer: "seeded" }));
  const { rows } = await t.db.pool.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  const raw = async () => JSON.stringify(await Promise.all(rows.map(async (r) => (await t.db.pool.query(`SELECT * FROM "${r.tablename}" ORDER BY 1`)).rows)));
  const before = await raw();
  await assert.rejects(reset(config), (err: unknown) => {
    assert.ok(err instanceof SafetyError);
    assert.match(err.message, /^db:reset would lose FeatureFlag \(2 rows\): this table belongs to no user or organization and is not classified\. Say what each is in package\.json: "clerkResync": \{ "tables": \{ "FeatureFlag": "keep" \} \} — "keep" \(backed up and restored whole\), "seeded" \(the seed recreates it\) or "disposable" \(may be lost\)\. Nothing was changed\.$/);
    return true;
  });
  assert.equal(await raw(), before);
  assert.deepEqual(readdirSync(config.sidecarDir), []);
});

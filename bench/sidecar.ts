// `pnpm bench:sidecar [--rows N] [--out FILE]`: what backing up and restoring N rows of local data
// costs, on PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL, admin rights) and PGlite. Each
// step is reported beside a floor measured in the same run on the same rows: one bare SELECT for
// the backup, one bare INSERT … FROM jsonb_to_recordset for the restore.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../src/cli-args.ts";
import type { Database } from "../src/db/database.ts";
import { onEachBenchDatabase } from "./database.ts";
import { seedDefaults } from "../examples/seed-app/prisma/seed-defaults.ts";
import { formatTable } from "../src/output.ts";
import { readSidecarFile, writeSidecarFile } from "../src/sidecar/files.ts";
import { readLocalTables } from "../src/sidecar/local-tables.ts";
import { readLocalData } from "../src/sidecar/read-local-data.ts";
import { restoreSidecar } from "../src/sidecar/restore.ts";
import { readPackageJsonConfig } from "../src/app-config.ts";
import { verifyRestore } from "../src/sidecar/verify.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseScriptArgs({
  script: "pnpm bench:sidecar",
  summary: "Backup, restore and verify of N local rows, beside a bare SELECT and INSERT floor",
  flags: {
    rows: { type: "integer", value: "N", default: 10_000, min: 1, description: "Local rows to back up and restore" },
    out: { type: "string", value: "FILE", default: "bench/sidecar-results.json", description: "Where the results go" },
  },
  example: "pnpm bench:sidecar --rows 1000",
});
const rows = values.rows;

const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await f();
  return [r, Math.round(performance.now() - t0)];
};

/** N local rows over 100 organizations: 40% prompts, 40% resources, the rest service enablements. */
async function fill(db: Database): Promise<void> {
  const orgs = Array.from({ length: 100 }, (_, i) => `org_bench${String(i).padStart(4, "0")}`);
  await db.pool.query(`INSERT INTO "Organization" (id, name, "createdAt", "updatedAt") SELECT unnest($1::text[]), 'Org', now(), now()`, [orgs]);
  const prompts = Math.round(rows * 0.4);
  const resources = Math.round(rows * 0.4);
  await db.pool.query(`INSERT INTO "Prompt" ("organizationId", name, description, content) SELECT ($1::text[])[1 + g % 100], 'prompt-' || g, 'about ' || g, repeat('Summarize {{input}} ', 20) FROM generate_series(1, $2) g`, [orgs, prompts]);
  await db.pool.query(`INSERT INTO "Resource" ("organizationId", uri, name, "mimeType", content) SELECT ($1::text[])[1 + g % 100], 'docs://r/' || g, 'Resource ' || g, 'text/markdown', repeat('# doc ', 50) FROM generate_series(1, $2) g`, [orgs, resources]);
  // Services: at most one per (organization, server), so add servers until there is room.
  const services = rows - prompts - resources;
  const servers = Math.ceil(services / 100);
  await db.pool.query(`INSERT INTO "McpServer" (name, url, "updatedAt") SELECT 'bench-' || g, 'stdio://x', now() FROM generate_series(1, $1) g ON CONFLICT DO NOTHING`, [servers]);
  await db.pool.query(
    `INSERT INTO "OrganizationService" ("organizationId", "mcpServerId", config)
     SELECT o, s.id, jsonb_build_object('workspace', o, 'limit', 10) FROM unnest($1::text[]) o CROSS JOIN (SELECT id FROM "McpServer" WHERE name LIKE 'bench-%' ORDER BY id) s LIMIT $2`,
    [orgs, services],
  );
}

const wipeLocal = (db: Database) => db.pool.query(`DELETE FROM "Prompt" WHERE "organizationId" IS NOT NULL; DELETE FROM "Resource" WHERE "organizationId" IS NOT NULL; DELETE FROM "OrganizationService"`);

async function measure(kind: string, db: Database) {
  await seedDefaults(db);
  await fill(db);
  const dir = mkdtempSync(path.join(tmpdir(), "clerk-resync-bench-sidecar-"));
  // Floors: the least a backup reads and a restore writes, on the same rows.
  const [floorRows, floorBackupMs] = await time(async () => {
    const r = await Promise.all([`SELECT * FROM "Prompt" WHERE "organizationId" IS NOT NULL`, `SELECT * FROM "Resource" WHERE "organizationId" IS NOT NULL`, `SELECT * FROM "OrganizationService"`].map((q) => db.pool.query(q)));
    JSON.stringify(r.map((x) => x.rows));
    return r.map((x) => x.rows);
  });
  const tables = await readLocalTables(db.pool, readPackageJsonConfig(ROOT));
  const [file, backupMs] = await time(async () => writeSidecarFile(await readLocalData(db.pool, tables, { reason: "backup", clerkInstanceId: null }), { dir }));
  await wipeLocal(db);
  const [, floorRestoreMs] = await time(async () => {
    for (const [table, data] of [["Prompt", floorRows[0]!], ["Resource", floorRows[1]!], ["OrganizationService", floorRows[2]!]] as const) {
      const cols = Object.keys(data[0] ?? {}).filter((c) => c !== "id");
      await db.pool.query(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(", ")}) SELECT ${cols.map((c) => `x."${c}"`).join(", ")} FROM jsonb_populate_recordset(NULL::"${table}", $1::jsonb) x`, [JSON.stringify(data)]);
    }
  });
  await wipeLocal(db);
  const sidecar = readSidecarFile(file);
  const [report, restoreMs] = await time(() => restoreSidecar(db.pool, sidecar, tables));
  const [verified, verifyMs] = await time(() => verifyRestore(db.pool, tables, report));
  const [again, secondRestoreMs] = await time(() => restoreSidecar(db.pool, sidecar, tables));
  const restored = report.tables.reduce((n, t) => n + t.created, 0);
  const changedAgain = again.tables.reduce((n, t) => n + t.created + t.updated, 0);
  return {
    db: kind, rows: restored, backupMs, floorBackupMs, backupRatio: +(backupMs / floorBackupMs).toFixed(2),
    restoreMs, floorRestoreMs, restoreRatio: +(restoreMs / floorRestoreMs).toFixed(2), verifyMs, secondRestoreMs, changedAgain,
    identical: verified.every((v) => v.identical),
  };
}

const results = await onEachBenchDatabase("clerk_resync_bench_sidecar", ROOT, measure);
process.stdout.write(`${formatTable(["db", "rows", "backup ms", "floor", "ratio", "restore ms", "floor", "ratio", "verify ms", "2nd restore ms"], results.map((r) => [r.db, r.rows, r.backupMs, r.floorBackupMs, r.backupRatio, r.restoreMs, r.floorRestoreMs, r.restoreRatio, r.verifyMs, r.secondRestoreMs]))}\n`);
writeFileSync(values.out, `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);

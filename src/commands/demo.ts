import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateDataset } from "../clerk-emulator/dataset.ts";
import { seededRandom } from "../clerk-emulator/ids.ts";
import { startClerkEmulator } from "../clerk-emulator/server.ts";
import { EmulatorStore } from "../clerk-emulator/store.ts";
import { createClerkApi } from "../clerk/from-config.ts";
import type { Config } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { migrateAndSeed } from "../db/migrate-and-seed.ts";
import { EXIT } from "../errors.ts";
import { formatResetReport } from "../reset/report.ts";
import { runReset } from "../reset/run-reset.ts";
import { defaultResyncOptions, runResync } from "../sync/resync.ts";
import { defineCommand } from "./context.ts";
import { addOrgLocalData, tableDump } from "../db/demo-data.ts";

export const demoCommand = defineCommand({
  spec: {
    script: "pnpm demo",
    summary: "The whole flow with no key and no database: emulator + embedded Postgres, then db:reset end to end",
    flags: {
      users: { type: "integer", value: "N", default: 150, description: "Users in the emulated Clerk instance" },
      orgs: { type: "integer", value: "M", default: 12, description: "Organizations" },
      "memberships-per-org": { type: "integer", value: "K", default: 6, description: "Memberships per organization" },
      seed: { type: "integer", value: "S", default: 42, description: "Seed of the generated dataset" },
    },
    example: "pnpm demo --users 1000 --orgs 40",
  },
  async run(ctx, { values }) {
    const seed = values.seed;
    const store = new EmulatorStore({ random: seededRandom(seed), instanceId: `ins_demo${seed}` });
    generateDataset(store, { users: values.users, orgs: values.orgs, membershipsPerOrg: values["memberships-per-org"], seed });
    const emulator = await startClerkEmulator({ store });
    const workDir = mkdtempSync(path.join(tmpdir(), "clerk-resync-demo-"));
    const config: Config = {
      ...ctx.config,
      databaseUrl: undefined,
      pgliteDir: path.join(workDir, "pglite"),
      sidecarDir: path.join(workDir, "backups"),
      clerk: { ...ctx.config.clerk, apiUrl: emulator.url, secretKey: emulator.secretKey },
    };
    ctx.out.line(`Demo: Clerk API emulator at ${emulator.url} (${store.users.size} users, ${store.organizations.size} organizations, ${store.memberships.size} memberships); embedded Postgres in ${config.pgliteDir}`);
    const db = await openDatabase(config, ctx.log);
    try {
      ctx.out.line("1. bootstrap: migrate, seed, first resync, and some org-local data (custom prompts, resources, services)");
      await migrateAndSeed(db, config.rootDir);
      await runResync({ db, api: createClerkApi(config, ctx.log), log: ctx.log }, defaultResyncOptions(config.sidecarDir));
      await addOrgLocalData(db);
      const before = await tableDump(db);

      ctx.out.line("2. pnpm db:reset: preflight → sidecar backup → prisma migrate reset → seed → resync from Clerk → restore → verify");
      const report = await runReset({ config, db, api: createClerkApi(config, ctx.log), log: ctx.log }, { yes: false, forceInstance: false, onStep: (s) => ctx.out.progress(s) });
      ctx.out.progressDone();
      ctx.out.line(formatResetReport(report));

      const after = await tableDump(db);
      const identical = JSON.stringify(after) === JSON.stringify(before);
      ctx.out.line("");
      ctx.out.line(identical ? "Round trip: every table is identical to before the reset (same ids, same content)." : "Round trip: tables DIFFER from before the reset.");
      ctx.out.result({ demo: true, identical, workDir, emulatorRequests: emulator.stats.requests });
      return identical && report.verified ? EXIT.ok : EXIT.failure;
    } finally {
      ctx.out.progressDone();
      await db.close();
      await emulator.close();
    }
  },
});

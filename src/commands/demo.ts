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
import { runReset } from "../reset/run-reset.ts";
import { defaultResyncOptions, runResync } from "../sync/resync.ts";
import { defineCommand, type CommandContext } from "./context.ts";
import { WebhookSender, webhookSecretFor } from "../clerk-emulator/webhook-sender.ts";
import type { Database } from "../db/database.ts";
import { createClerkWebhookHandler } from "../live/handler.ts";
import { startWebhookReceiver } from "../live/server.ts";
import { addOrgLocalData, tableDump } from "../demo/sample-data.ts";
import { formatResetReport } from "../reset/report.ts";

export const demoCommand = defineCommand({
  spec: {
    flags: {
      users: { type: "integer", value: "N", default: 150, description: "Users in the emulated Clerk instance" },
      orgs: { type: "integer", value: "M", default: 12, description: "Organizations" },
      "memberships-per-org": { type: "integer", value: "K", default: 6, description: "Memberships per organization" },
      seed: { type: "integer", value: "S", default: 42, description: "Seed of the generated dataset" },
    },
    example: "clerk-resync demo --users 1000 --orgs 40",
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
    let db = await openDatabase(config, ctx.log, { command: "demo" });
    try {
      ctx.out.line("1. bootstrap: migrate, seed, first resync, and some org-local data (custom prompts, resources, services)");
      await migrateAndSeed(db, config.rootDir);
      await runResync({ db, api: createClerkApi(config, ctx.log), log: ctx.log }, defaultResyncOptions(config.sidecarDir, config.mirrorPrivateMetadata, config.mirror));
      await addOrgLocalData(db);
      const before = await tableDump(db);

      ctx.out.line("2. pnpm db:reset: preflight → sidecar backup → build beside (migrate deploy, seed, resync from Clerk, restore) → verify → switch");
      const report = await runReset({ config, db, api: createClerkApi(config, ctx.log), log: ctx.log }, { yes: false, forceInstance: false, onStep: (s) => ctx.out.progress(s) });
      ctx.out.progressDone();
      ctx.out.line(formatResetReport(report));
      // The reset switched the data folder: open the new one.
      await db.close();
      db = await openDatabase(config, ctx.log, { command: "demo" });

      const after = await tableDump(db);
      const identical = JSON.stringify(after) === JSON.stringify(before);
      ctx.out.line("");
      ctx.out.line(identical ? "Round trip: every table is identical to before the reset (same ids, same content)." : "Round trip: tables DIFFER from before the reset.");

      ctx.out.line("");
      ctx.out.line("3. live sync: the emulator sends Svix-signed webhooks to the receiver (pnpm clerk:webhooks), which applies them through the resync's own write path");
      const liveMs = await showLiveSync(db, store, config, ctx);
      ctx.out.line(liveMs === null ? "A change in Clerk did NOT reach the database within 5 s." : `A user renamed in Clerk reached the database in ${liveMs} ms.`);
      ctx.out.result({ demo: true, identical, workDir, emulatorRequests: emulator.stats.requests, liveSyncMs: liveMs });
      return identical && report.verified && liveMs !== null ? EXIT.ok : EXIT.failure;
    } finally {
      ctx.out.progressDone();
      await db.close();
      await emulator.close();
    }
  },
});

/** Renames a user in the emulator and times the webhook's way into the database. */
async function showLiveSync(db: Database, store: EmulatorStore, config: Config, ctx: CommandContext): Promise<number | null> {
  const secret = webhookSecretFor(1);
  const handler = createClerkWebhookHandler({ pool: db.pool, oneAtATime: db.pglite, signingSecret: secret, sidecarDir: config.sidecarDir, log: ctx.log });
  const receiver = await startWebhookReceiver(handler);
  const sender = new WebhookSender(store, { url: receiver.url, secret });
  try {
    const user = [...store.users.values()][0]!;
    const name = `Renamed ${new Date().toISOString().slice(11, 19)}`;
    const started = performance.now();
    store.updateUser(user.id, { firstName: name });
    while (performance.now() - started < 5_000) {
      const { rows } = await db.pool.query(`SELECT 1 FROM "User" WHERE id = $1 AND "firstName" = $2`, [user.id, name]);
      if (rows.length) return Math.round(performance.now() - started);
      await new Promise((r) => setTimeout(r, 5));
    }
    return null;
  } finally {
    sender.close();
    await receiver.close();
  }
}

// One benchmark scenario in a fresh process, so peak RSS is this scenario's own. Prints one JSON
// line: the measurements.
import { createClerkClient } from "@clerk/backend";
import { ClerkApi } from "../src/clerk/client.ts";
import { connectDatabase, type Database } from "../src/db/database.ts";
import { openBenchDatabase } from "./database.ts";
import { silentLogger } from "../src/log.ts";
import { defaultResyncOptions, runResync } from "../src/sync/resync.ts";

const scenario = process.env.BENCH_SCENARIO!;
const apiUrl = process.env.BENCH_CLERK_URL!;
const secretKey = process.env.BENCH_CLERK_KEY!;
const requestsPerWindow = Number(process.env.BENCH_REQUESTS_PER_WINDOW ?? 1000);

/** The naive backfill: list users with the SDK, then one prisma.user.upsert per record, in sequence. */
async function baseline(db: Database, limit: number) {
  const clerk = createClerkClient({ secretKey, apiUrl });
  let requests = 0;
  let written = 0;
  for (let offset = 0; offset < limit; offset += 500) {
    const page = await clerk.users.getUserList({ limit: Math.min(500, limit - offset), offset, orderBy: "+created_at" });
    requests += 2; // getUserList also calls /users/count
    for (const u of page.data) {
      const data = {
        email: u.primaryEmailAddress?.emailAddress ?? null,
        firstName: u.firstName,
        lastName: u.lastName,
        username: u.username,
        imageUrl: u.imageUrl,
        createdAt: new Date(u.createdAt),
        updatedAt: new Date(u.updatedAt),
      };
      await db.prisma.user.upsert({ where: { id: u.id }, create: { id: u.id, ...data }, update: data });
      written++;
    }
    if (page.data.length < 500) break;
  }
  return { requests, retries: 0, rowsWritten: written, records: written };
}

const pg = await openBenchDatabase();
const db = await connectDatabase(pg.url, pg.embedded);
try {
  const started = performance.now();
  let result: { requests: number; retries: number; rowsWritten: number; records: number; phasesMs?: object };
  if (scenario === "baseline") {
    result = await baseline(db, Number(process.env.BENCH_BASELINE_USERS ?? 10_000));
  } else {
    const api = new ClerkApi({ secretKey, apiUrl, requestsPerWindow, windowMs: 10_000, log: silentLogger });
    const { report } = await runResync({ db, api, log: silentLogger }, defaultResyncOptions(process.env.BENCH_SIDECAR_DIR ?? "/tmp"));
    const records = [report.users, report.organizations, report.memberships].reduce((n, c) => n + c.created + c.updated + c.unchanged + c.deleted, 0);
    result = { requests: report.requests, retries: report.retries, rowsWritten: report.rowsWritten, records, phasesMs: report.phasesMs };
  }
  const wallMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ scenario, wallMs: Math.round(wallMs), ...result, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
} finally {
  await db.close();
  await pg.stop();
}

// The baseline scenario in a fresh process, so peak RSS is its own: the naive backfill a team writes
// by hand. Prints one JSON line: the measurements. (Every other scenario runs the compiled bin.)
import { createClerkClient } from "@clerk/backend";
import { connectDatabase, type Database } from "../src/db/database.ts";
import { openBenchDatabase } from "./database.ts";
import { machineBusyMs } from "./process.ts";
import { peakRssKB } from "./peak-rss.mjs";
import { prismaClient } from "../test/support/prisma-client.ts";

const scenario = process.env.BENCH_SCENARIO!;
const apiUrl = process.env.BENCH_CLERK_URL!;
const secretKey = process.env.BENCH_CLERK_KEY!;

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
      await (await prismaClient(db)).user.upsert({ where: { id: u.id }, create: { id: u.id, ...data }, update: data });
      written++;
    }
    if (page.data.length < 500) break;
  }
  return { requests, retries: 0, rowsWritten: written, records: written };
}

/**
 * Runs `body` and prints one JSON line: its result with the wall time, this process's CPU time and
 * the machine's (`coresBusy` near the core count means the machine, not the network, set the pace).
 */
async function measure(body: () => Promise<object>): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const machine = machineBusyMs();
  const result = await body();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const machineMs = machineBusyMs() - machine;
  process.stdout.write(
    `${JSON.stringify({ scenario, wallMs: Math.round(wallMs), cpuMs: Math.round((used.user + used.system) / 1000), machineCpuMs: Math.round(machineMs), coresBusy: Number((machineMs / wallMs).toFixed(2)), ...result, peakRssMB: Math.round(peakRssKB() / 1024) })}\n`,
  );
}

const pg = await openBenchDatabase();
const db = await connectDatabase(pg.url, pg.embedded);
try {
  await measure(() => baseline(db, Number(process.env.BENCH_BASELINE_USERS ?? 10_000)));
} finally {
  await db.close();
  await pg.stop();
}

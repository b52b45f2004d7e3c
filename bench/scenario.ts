// One benchmark scenario in a fresh process, so peak RSS is this scenario's own. Prints one JSON
// line: the measurements.
import { createClerkClient } from "@clerk/backend";
import os from "node:os";
import pLimit from "p-limit";
import { ClerkApi } from "../src/clerk/client.ts";
import { connectDatabase, type Database } from "../src/db/database.ts";
import { openBenchDatabase } from "./database.ts";
import { silentLogger } from "../src/log.ts";
import { planLanes } from "../src/sync/fetch.ts";
import { defaultResyncOptions, runResync } from "../src/sync/resync.ts";
import { prismaClient } from "../src/demo/prisma-client.ts";

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
      await (await prismaClient(db)).user.upsert({ where: { id: u.id }, create: { id: u.id, ...data }, update: data });
      written++;
    }
    if (page.data.length < 500) break;
  }
  return { requests, retries: 0, rowsWritten: written, records: written };
}

/**
 * The floor: a bare client paging the same emulator at the minimum request count (the user count
 * with the first organization and membership pages, then every other page by offset), parsing
 * each page and nothing else: no SDK, no validation, no database. As many requests in flight as
 * the resync would keep at the latency it measures.
 */
async function floor() {
  let requests = 0;
  const get = async (pathAndQuery: string): Promise<unknown> => {
    requests++;
    const res = await fetch(`${apiUrl}/v1${pathAndQuery}`, { headers: { Authorization: `Bearer ${secretKey}`, "Clerk-API-Version": "2026-05-12" } });
    const body = await res.json();
    if (!res.ok) throw new Error(`floor: GET ${pathAndQuery} answered ${res.status}`);
    return body;
  };
  const sent = performance.now();
  const [count, orgs, memberships] = (await Promise.all([get("/users/count"), get("/organizations?limit=500&order_by=%2Bcreated_at"), get("/organization_memberships?limit=500&order_by=%2Bcreated_at")])) as [
    { total_count: number },
    { data: unknown[]; total_count: number },
    { data: unknown[]; total_count: number },
  ];
  const latencyMs = performance.now() - sent;
  const pages = (n: number) => Math.max(1, Math.ceil(n / 500));
  const { lanes } = planLanes({ users: pages(count.total_count), others: pages(orgs.total_count) + pages(memberships.total_count) - 2 }, latencyMs, requestsPerWindow / 10_000);
  const limit = pLimit(lanes);
  let records = orgs.data.length + memberships.data.length;
  const rest: string[] = [];
  for (let o = 0; o < count.total_count; o += 500) rest.push(`/users?limit=500&offset=${o}&order_by=%2Bcreated_at`);
  for (let o = 500; o < orgs.total_count; o += 500) rest.push(`/organizations?limit=500&offset=${o}&order_by=%2Bcreated_at`);
  for (let o = 500; o < memberships.total_count; o += 500) rest.push(`/organization_memberships?limit=500&offset=${o}&order_by=%2Bcreated_at`);
  await Promise.all(
    rest.map((q) =>
      limit(async () => {
        const body = (await get(q)) as unknown[] | { data: unknown[] };
        records += Array.isArray(body) ? body.length : body.data.length;
      }),
    ),
  );
  return { requests, retries: 0, rowsWritten: 0, records, lanes };
}

/** Busy CPU time of the whole machine so far (ms, every core): the emulator and the database included. */
function machineBusyMs(): number {
  return os.cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
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
    `${JSON.stringify({ scenario, wallMs: Math.round(wallMs), cpuMs: Math.round((used.user + used.system) / 1000), machineCpuMs: Math.round(machineMs), coresBusy: Number((machineMs / wallMs).toFixed(2)), ...result, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}

if (scenario === "floor") {
  await measure(floor);
  process.exit(0);
}

const pg = await openBenchDatabase();
const db = await connectDatabase(pg.url, pg.embedded);
try {
  await measure(async () => {
    if (scenario === "baseline") return baseline(db, Number(process.env.BENCH_BASELINE_USERS ?? 10_000));
    const api = new ClerkApi({ secretKey, apiUrl, requestsPerWindow, windowMs: 10_000, log: silentLogger });
    const { report } = await runResync({ db, api, log: silentLogger }, defaultResyncOptions(process.env.BENCH_SIDECAR_DIR ?? "/tmp"));
    const records = [report.users, report.organizations, report.memberships].reduce((n, c) => n + c.created + c.updated + c.unchanged + c.deleted, 0);
    return { requests: report.requests, retries: report.retries, rowsWritten: report.rowsWritten, records, phasesMs: report.phasesMs };
  });
} finally {
  await db.close();
  await pg.stop();
}

// Experiment: the floor pager plus, for each page, the database rows of its ids read the tool's way.
import pLimit from "p-limit";
import pg from "pg";
import { planLanes } from "../dist/sync/lanes.js";
import { readLocalRows } from "../dist/mirror/local-state.js";
const apiUrl = process.env.BENCH_CLERK_URL, secretKey = process.env.BENCH_CLERK_KEY;
const requestsPerWindow = Number(process.env.BENCH_REQUESTS_PER_WINDOW ?? 1000);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const PAGE = 500;
let requests = 0, dbRows = 0;
async function get(q) {
  requests++;
  const res = await fetch(`${apiUrl}/v1${q}`, { headers: { Authorization: `Bearer ${secretKey}`, "Clerk-API-Version": "2026-05-12" } });
  const body = await res.json();
  if (!res.ok) throw new Error(`floor: GET ${q} answered ${res.status}`);
  return body;
}
const entityOf = (q) => (q.startsWith("/users") ? "users" : q.startsWith("/organizations") ? "organizations" : "memberships");
async function withRows(q, body) {
  const data = Array.isArray(body) ? body : body.data;
  if (process.env.NO_DB) return data.length;
  const rows = await readLocalRows(pool, entityOf(q), data.map((r) => r.id));
  dbRows += rows.length;
  return data.length;
}
const sent = performance.now();
const q0 = [`/organizations?limit=${PAGE}&order_by=%2Bcreated_at`, `/organization_memberships?limit=${PAGE}&order_by=%2Bcreated_at`];
const [count, orgs, memberships] = await Promise.all([get("/users/count"), get(q0[0]), get(q0[1])]);
const latencyMs = performance.now() - sent;
const pages = (n) => Math.max(1, Math.ceil(n / PAGE));
const { lanes } = planLanes({ users: pages(count.total_count), others: pages(orgs.total_count) + pages(memberships.total_count) - 2 }, latencyMs, requestsPerWindow / 10_000);
const limit = pLimit(lanes);
let records = (await withRows(q0[0], orgs)) + (await withRows(q0[1], memberships));
const rest = [];
for (let o = 0; o < count.total_count; o += PAGE) rest.push(`/users?limit=${PAGE}&offset=${o}&order_by=%2Bcreated_at`);
for (let o = PAGE; o < orgs.total_count; o += PAGE) rest.push(`/organizations?limit=${PAGE}&offset=${o}&order_by=%2Bcreated_at`);
for (let o = PAGE; o < memberships.total_count; o += PAGE) rest.push(`/organization_memberships?limit=${PAGE}&offset=${o}&order_by=%2Bcreated_at`);
await Promise.all(rest.map((q) => limit(async () => { records += await withRows(q, await get(q)); })));
await pool.end();
process.stdout.write(`${JSON.stringify({ requests, records, dbRows, lanes })}\n`);

// The floor client, a process of its own measured exactly like `clerk-resync resync` (bench/run.ts):
// a bare pager over the same emulator at the minimum request count (the user count with the first
// organization and membership pages, then every other page by offset), each page parsed with
// `fetch` + `res.json()` and dropped: no SDK, no validation, no database. As many requests in flight
// as the resync would keep (dist/sync/lanes.js). Plain JavaScript: nothing compiles at its start.
// Env: BENCH_CLERK_URL, BENCH_CLERK_KEY, BENCH_REQUESTS_PER_WINDOW. Prints one JSON line.
// With BENCH_FLOOR_READ_DB (and DATABASE_URL) it is the read floor: each page also reads the
// database's rows of the ids it lists, with the resync's own query (readLocalRows), and nothing
// more. What a no-op must spend at least, before it maps or compares a record.
import pLimit from "p-limit";
import { planLanes } from "../dist/sync/lanes.js";

const apiUrl = process.env.BENCH_CLERK_URL;
const secretKey = process.env.BENCH_CLERK_KEY;
const requestsPerWindow = Number(process.env.BENCH_REQUESTS_PER_WINDOW ?? 1000);
const PAGE = 500;
const readDb = process.env.BENCH_FLOOR_READ_DB ? await openDatabaseRead(process.env.DATABASE_URL) : undefined;

/** The read floor's database side: a pool, and a page's rows by the resync's query. */
async function openDatabaseRead(url) {
  const [{ default: pg }, { readLocalRows }] = await Promise.all([import("pg"), import("../dist/mirror/local-state.js")]);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  let rows = 0;
  return {
    async read(entity, page) {
      const read = await readLocalRows(pool, entity, page.map((r) => r.id));
      rows += read.length;
    },
    async close() {
      await pool.end();
      return rows;
    },
  };
}
const entityOf = (q) => (q.startsWith("/users") ? "users" : q.startsWith("/organizations") ? "organizations" : "memberships");

let requests = 0;
async function get(pathAndQuery) {
  requests++;
  const res = await fetch(`${apiUrl}/v1${pathAndQuery}`, { headers: { Authorization: `Bearer ${secretKey}`, "Clerk-API-Version": "2026-05-12" } });
  const body = await res.json();
  if (!res.ok) throw new Error(`floor: GET ${pathAndQuery} answered ${res.status}`);
  if (readDb && pathAndQuery !== "/users/count") await readDb.read(entityOf(pathAndQuery), Array.isArray(body) ? body : body.data);
  return body;
}

const sent = performance.now();
const [count, orgs, memberships] = await Promise.all([
  get("/users/count"),
  get(`/organizations?limit=${PAGE}&order_by=%2Bcreated_at`),
  get(`/organization_memberships?limit=${PAGE}&order_by=%2Bcreated_at`),
]);
const latencyMs = performance.now() - sent;
const pages = (n) => Math.max(1, Math.ceil(n / PAGE));
const { lanes } = planLanes({ users: pages(count.total_count), others: pages(orgs.total_count) + pages(memberships.total_count) - 2 }, latencyMs, requestsPerWindow / 10_000);
const limit = pLimit(lanes);
let records = orgs.data.length + memberships.data.length;
const rest = [];
for (let o = 0; o < count.total_count; o += PAGE) rest.push(`/users?limit=${PAGE}&offset=${o}&order_by=%2Bcreated_at`);
for (let o = PAGE; o < orgs.total_count; o += PAGE) rest.push(`/organizations?limit=${PAGE}&offset=${o}&order_by=%2Bcreated_at`);
for (let o = PAGE; o < memberships.total_count; o += PAGE) rest.push(`/organization_memberships?limit=${PAGE}&offset=${o}&order_by=%2Bcreated_at`);
await Promise.all(
  rest.map((q) =>
    limit(async () => {
      const body = await get(q);
      records += Array.isArray(body) ? body.length : body.data.length;
    }),
  ),
);
const dbRows = readDb ? await readDb.close() : 0;
process.stdout.write(`${JSON.stringify({ requests, records, lanes, dbRows })}\n`);

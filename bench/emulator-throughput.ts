// `pnpm bench:emulator`: how fast the emulator generates a dataset and serves pages, measured
// from another process over HTTP, so it can be shown not to be the bottleneck of a resync.
import { fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../src/cli-args.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseScriptArgs({
  script: "pnpm bench:emulator",
  summary: "Measures the emulator alone: dataset generation and paging throughput",
  flags: {
    users: { type: "integer", value: "N", default: 100_000, description: "Users in the dataset" },
    orgs: { type: "integer", value: "M", default: 5000, description: "Organizations" },
  },
  example: "pnpm bench:emulator --users 20000",
});
const started = performance.now();
const child = fork(path.join(ROOT, "bench/emulator-process.ts"), [String(values.users), String(values.orgs), "30", "1", "0"], { execArgv: ["--import", "tsx"] });
const ready = await new Promise<{ url: string; secretKey: string }>((resolve) => child.on("message", (m: { type: string; url: string; secretKey: string }) => m.type === "ready" && resolve(m)));
const generatedMs = performance.now() - started;
const headers = { Authorization: `Bearer ${ready.secretKey}`, "Content-Type": "application/json" };

async function time(label: string, next: (last: unknown[] | undefined, i: number) => string | undefined) {
  const t = performance.now();
  let pages = 0;
  let items = 0;
  let last: unknown[] | undefined;
  for (let url = next(undefined, 0); url; url = next(last, pages)) {
    const body = (await (await fetch(`${ready.url}${url}`, { headers })).json()) as unknown[] | { data: unknown[] };
    last = Array.isArray(body) ? body : body.data;
    pages++;
    items += last.length;
  }
  const s = (performance.now() - t) / 1000;
  process.stdout.write(`${label.padEnd(34)} ${String(items).padStart(7)} items  ${String(pages).padStart(4)} pages  ${s.toFixed(2)} s  ${(pages / s).toFixed(0)} pages/s\n`);
}

process.stdout.write(`generated ${values.users} users, ${values.orgs} orgs, ${Number(values.orgs) * 30} memberships in ${(generatedMs / 1000).toFixed(1)} s (process start included)\n`);
// Each listing twice: the first pass serializes every record, the second serves cached JSON.
for (const pass of ["cold", "warm"]) {
  await time(`GET /v1/users, cursor (${pass})`, (last, i) =>
    i === 0 ? "/v1/users?limit=500&order_by=%2Bcreated_at" : last!.length < 500 ? undefined : `/v1/users?limit=500&order_by=%2Bcreated_at&starting_after=${(last!.at(-1) as { id: string }).id}`,
  );
  await time(`GET /v1/users, offset (${pass})`, (last, i) => (i > 0 && last!.length < 500 ? undefined : `/v1/users?limit=500&offset=${i * 500}&order_by=%2Bcreated_at`));
  await time(`GET /v1/organization_memberships (${pass})`, (last, i) => (i > 0 && last!.length < 500 ? undefined : `/v1/organization_memberships?limit=500&offset=${i * 500}&order_by=%2Bcreated_at`));
}
child.send({ type: "stop" });

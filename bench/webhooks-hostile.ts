// `pnpm bench:webhooks --hostile`: the real receiver (`clerk-resync webhooks`, its own process, so
// its memory is its own) under attack while Svix-signed deliveries keep coming: unsigned POSTs of
// --big-mb MB each (half with a Content-Length, half chunked without), and --slow connections that
// send one body byte every 5 s. Reports the receiver's peak RSS, the valid deliveries' p99, and
// how many requests got 413 and 503.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { Webhook } from "standardwebhooks";

export interface HostileOptions {
  big: number;
  bigMb: number;
  slow: number;
  valid: number;
  concurrency: number;
}

export interface HostileResult {
  baselineRssMB: number;
  peakRssMB: number;
  validSent: number;
  validApplied: number;
  validOtherStatus: number;
  validP50Ms: number;
  validP99Ms: number;
  count413: number;
  count503: number;
  bigOther: number;
  slowCutByServer: number;
  slowStillOpen: number;
  wallMs: number;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** Resident and peak resident memory of a process, from /proc (Linux). */
function memoryOf(pid: number): { rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { rss: Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024 };
}

async function startReceiver(root: string, databaseUrl: string, secret: string, sidecarDir: string) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "src/cli.ts"), "webhooks", "--port", "0", "--json"], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, CLERK_WEBHOOK_SIGNING_SECRET: secret, CLERK_RESYNC_SIDECAR_DIR: sidecarDir, LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      stdout += d;
      if (stdout.includes("\n")) resolve((JSON.parse(stdout.split("\n")[0]!) as { url: string }).url);
    });
    child.once("close", (code) => reject(new Error(`the receiver exited (${code})`)));
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  return { pid: child.pid!, url, stop: async () => (child.kill("SIGTERM"), await exited) };
}

/** An unsigned POST of `bytes`, streamed from one reused chunk (the attacker holds no memory); resolves with the status. */
function bigPost(url: URL, bytes: number, declared: boolean): Promise<number | "error"> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = declared ? { "content-length": String(bytes) } : { "transfer-encoding": "chunked" };
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers, agent: false });
    req.on("response", (res) => {
      resolve(res.statusCode!);
      req.destroy();
    });
    req.on("error", () => resolve("error"));
    const chunk = Buffer.alloc(256 * 1024, "x");
    let sent = 0;
    const write = () => {
      while (sent < bytes && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      if (!req.destroyed) req.end();
    };
    write();
  });
}

/** A connection that sends a body's headers, then one byte every 5 s; resolves when the server closes it. */
function slowConnection(url: URL, stopAll: AbortSignal): { socket: net.Socket; closed: Promise<{ cut: boolean; status?: number }> } {
  const socket = net.connect(Number(url.port), url.hostname);
  let answer = "";
  socket.on("data", (d) => (answer += d));
  socket.on("error", () => {});
  socket.once("connect", () => socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n`));
  const drip = setInterval(() => socket.writable && socket.write("a"), 5000);
  const closed = new Promise<{ cut: boolean; status?: number }>((resolve) =>
    socket.once("close", () => {
      clearInterval(drip);
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1]) || undefined;
      resolve({ cut: !stopAll.aborted, status });
    }),
  );
  return { socket, closed };
}

export async function measureHostile(
  root: string,
  databaseUrl: string,
  secret: string,
  sidecarDir: string,
  messages: { id: string; body: string }[],
  options: HostileOptions,
): Promise<HostileResult> {
  const receiver = await startReceiver(root, databaseUrl, secret, sidecarDir);
  const url = new URL(receiver.url);
  const baseline = memoryOf(receiver.pid).rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(receiver.pid).rss)), 50);
  const started = performance.now();
  const stopSlow = new AbortController();
  const statuses = new Map<number | string, number>();
  const count = (s: number | string | undefined) => s !== undefined && statuses.set(s, (statuses.get(s) ?? 0) + 1);

  const slow = Array.from({ length: options.slow }, () => slowConnection(url, stopSlow.signal));
  const big = Promise.all(Array.from({ length: options.big }, (_, i) => bigPost(url, options.bigMb * 1024 * 1024, i % 2 === 0)));

  const signer = new Webhook(secret);
  const latencies: number[] = [];
  let applied = 0;
  let other = 0;
  let next = 0;
  const valid = messages.slice(0, options.valid);
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < valid.length) {
        const m = valid[next++]!;
        const now = new Date();
        const t0 = performance.now();
        const res = await fetch(receiver.url, {
          method: "POST",
          headers: { "content-type": "application/json", "svix-id": m.id, "svix-timestamp": String(Math.floor(now.getTime() / 1000)), "svix-signature": signer.sign(m.id, now, m.body) },
          body: m.body,
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        count(res.status);
        if (res.status === 200) applied += 1;
        else other += 1;
      }
    }),
  );
  const bigStatuses = await big;
  for (const s of bigStatuses) count(s);
  // The slow connections are cut by the receiver's request timeout (30 s); give it that, then stop waiting.
  const slowResults = await Promise.race([
    Promise.all(slow.map((s) => s.closed)),
    new Promise<null>((r) => setTimeout(() => r(null), 40_000).unref()),
  ]);
  stopSlow.abort();
  for (const s of slow) s.socket.destroy();
  const slowDone = slowResults ?? (await Promise.all(slow.map((s) => s.closed)));
  for (const s of slowDone) count(s.status);
  clearInterval(sampler);
  // Sampled during the attack, not VmHWM: start-up (module loading) peaks higher than steady work.
  peak = Math.max(peak, memoryOf(receiver.pid).rss);
  const wallMs = Math.round(performance.now() - started);
  await receiver.stop();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 10) / 10;
  return {
    baselineRssMB: mb(baseline),
    peakRssMB: mb(peak),
    validSent: valid.length,
    validApplied: applied,
    validOtherStatus: other,
    validP50Ms: q(0.5),
    validP99Ms: q(0.99),
    count413: statuses.get(413) ?? 0,
    count503: statuses.get(503) ?? 0,
    bigOther: bigStatuses.filter((s) => s !== 413 && s !== 503).length,
    slowCutByServer: slowDone.filter((s) => s.cut).length,
    slowStillOpen: slowResults ? 0 : slowDone.filter((s) => !s.cut).length,
    wallMs,
  };
}

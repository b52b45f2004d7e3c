// `pnpm bench --scale 0.02` runs end to end and writes well-formed results. Not a timing test.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../support/database.ts";

test("pnpm bench --scale 0.02 runs every scenario and writes results JSON", { timeout: 600_000 }, async () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "clerk-resync-bench-test-")), "results.json");
  const db = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/run.ts"), "--scale", "0.02", "--db", db, "--startup-runs", "1", "--out", out], { cwd: ROOT, env: process.env });
    let so = "";
    let se = "";
    child.stdout.on("data", (d) => (so += d));
    child.stderr.on("data", (d) => (se += d));
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c ?? 1, stdout: so, stderr: se }));
  });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /scenario\s+wall s\s+floor s\s+ratio\s+client CPU s\s+CPU ÷ floor\s+emulator CPU s\s+cores busy\s+records\/s\s+requests\s+÷ min\s+retries\s+rows written\s+peak RSS MB/);
  // The measures issue #25 sets goals on, each beside its goal.
  for (const measure of ["client CPU ÷ floor CPU, full", "no-op CPU ÷ floor CPU", "peak RSS, full / no-op", "latency, 400 users", "latency, 2000 users", "requests ÷ minimum"]) assert.ok(stdout.includes(measure), measure);
  const results = JSON.parse(readFileSync(out, "utf8"));
  assert.equal(results.scale, 0.02);
  assert.ok(results.startup.nodeMs > 0 && results.startup.helpMs > 0 && results.startup.versionMs > 0 && results.startup.noopResyncMs[db] > 0, JSON.stringify(results.startup));
  assert.deepEqual(results.dataset, { users: 2_000, orgs: 100, membershipsPerOrg: 30 });
  const rows = results.results[db] as { scenario: string; wallMs: number; requests: number; rowsWritten: number; peakRssMB: number; records: number; cpuMs: number; machineCpuMs: number; emulatorCpuMs?: number; floorMs?: number; ratioToFloor?: number; minRequests?: number; floorCpuMs?: number; cpuRatio?: number }[];
  const readFloor = db === "postgres" ? ["read floor"] : [];
  assert.deepEqual(rows.map((r) => r.scenario), ["floor", "full", "noop", ...readFloor, "drift", "baseline", "latency floor", "latency full", "latency noop", "latency 100k floor", "latency 100k full", "latency 100k noop", "throttled"]);
  for (const r of rows) {
    assert.ok(r.wallMs > 0 && r.requests > 0 && r.peakRssMB > 0 && r.records > 0, JSON.stringify(r));
    // CPU accounting: the scenario's own, and the emulator's (measured over IPC) for every scenario.
    assert.ok(r.cpuMs > 0 && r.machineCpuMs >= 0 && r.emulatorCpuMs! >= 0, JSON.stringify(r));
  }
  const byName = Object.fromEntries(rows.map((r) => [r.scenario, r]));
  assert.equal(byName.full!.rowsWritten, 2_000 + 100 + 3_000, "full writes every record");
  assert.equal(byName.noop!.rowsWritten, 0, "noop writes nothing");
  assert.equal(byName["latency noop"]!.rowsWritten, 0);
  assert.equal(byName.floor!.records, 2_000 + 100 + 3_000, "the floor lists everything");
  assert.equal(byName.floor!.rowsWritten, 0);
  for (const name of ["full", "noop", "latency full", "latency noop", "latency 100k full", "latency 100k noop"]) {
    const r = byName[name]!;
    assert.ok(r.floorMs! > 0 && r.ratioToFloor === Number((r.wallMs / r.floorMs!).toFixed(2)), `${name} is reported against its floor: ${JSON.stringify(r)}`);
    assert.ok(r.floorCpuMs! > 0 && r.cpuRatio === Number((r.cpuMs / r.floorCpuMs!).toFixed(2)), `${name}'s CPU is reported against the floor's: ${JSON.stringify(r)}`);
    assert.ok(r.requests >= r.minRequests!, `${name} cannot beat the minimum request count`);
  }
  // 150 ms per request: the floor is bounded below by its rounds of requests.
  assert.ok(byName["latency floor"]!.wallMs >= 2 * 150, JSON.stringify(byName["latency floor"]));
  assert.ok(byName.drift!.rowsWritten > 0);
  if (db === "postgres") {
    // The read floor read the row of every record it listed, and nothing else.
    const r = byName["read floor"] as typeof rows[number] & { rowsRead: number };
    assert.equal(r.records, 2_000 + 100 + 3_000);
    assert.equal(r.rowsRead, r.records, JSON.stringify(r));
    assert.equal(r.rowsWritten, 0);
  }
  const goals = results.summary[db];
  assert.equal(typeof goals.speedupVsBaseline, "number");
  assert.equal(goals.cpuRatio, byName.full!.cpuRatio);
  assert.equal(goals.noopRowsWritten, 0);
  if (db === "postgres") {
    assert.equal(goals.readFloorCpuRatio, byName["read floor"]!.cpuRatio);
    assert.equal(goals.noopCpuOverReadFloor, Number((byName.noop!.cpuMs / byName["read floor"]!.cpuMs).toFixed(2)));
    assert.ok(stdout.includes("no-op CPU ÷ read floor CPU"));
  } else assert.equal(goals.readFloorCpuRatio, null);
  assert.deepEqual(goals.peakRssMB, { full: byName.full!.peakRssMB, noop: byName.noop!.peakRssMB });
  assert.deepEqual(goals.latency100kRatio, { full: byName["latency 100k full"]!.ratioToFloor, noop: byName["latency 100k noop"]!.ratioToFloor });
});

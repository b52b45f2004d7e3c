// `pnpm bench --scale 0.1` runs end to end and writes well-formed results. Not a timing test.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../support/database.ts";

test("pnpm bench --scale 0.1 runs every scenario and writes results JSON", { timeout: 240_000 }, async () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "clerk-resync-bench-test-")), "results.json");
  const db = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/run.ts"), "--scale", "0.1", "--db", db, "--out", out], { cwd: ROOT, env: process.env });
    let so = "";
    let se = "";
    child.stdout.on("data", (d) => (so += d));
    child.stderr.on("data", (d) => (se += d));
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c ?? 1, stdout: so, stderr: se }));
  });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /scenario\s+wall s\s+records\/s\s+requests\s+retries\s+rows written\s+peak RSS MB/);
  const results = JSON.parse(readFileSync(out, "utf8"));
  assert.equal(results.scale, 0.1);
  assert.deepEqual(results.dataset, { users: 10_000, orgs: 500, membershipsPerOrg: 30 });
  const rows = results.results[db] as { scenario: string; wallMs: number; requests: number; rowsWritten: number; peakRssMB: number; records: number }[];
  assert.deepEqual(rows.map((r) => r.scenario), ["full", "noop", "drift", "baseline", "throttled"]);
  for (const r of rows) {
    assert.ok(r.wallMs > 0 && r.requests > 0 && r.peakRssMB > 0 && r.records > 0, JSON.stringify(r));
  }
  const byName = Object.fromEntries(rows.map((r) => [r.scenario, r]));
  assert.equal(byName.full!.rowsWritten, 10_000 + 500 + 15_000, "full writes every record");
  assert.equal(byName.noop!.rowsWritten, 0, "noop writes nothing");
  assert.ok(byName.drift!.rowsWritten > 0);
  assert.equal(typeof results.summary[db].speedupVsBaseline, "number");
});

// Preloaded (`node --import`) into a process bench/run.ts measures: at exit it writes the process's
// peak RSS, as the OS counts it (getrusage), to BENCH_USAGE_FILE. Its CPU time the bench reads from
// the OS itself (see processTreeCpuMs in bench/process.ts).
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_USAGE_FILE;
if (file) process.on("exit", () => writeFileSync(file, JSON.stringify({ maxRssKB: process.resourceUsage().maxRSS })));

// Preloaded (`node --import`) into a process bench/run.ts measures: at exit it writes the process's
// peak RSS (see peak-rss.mjs) to BENCH_USAGE_FILE. Its CPU time the bench reads from the OS itself
// (see reapedChildrenCpuMs in bench/process.ts).
import { writeFileSync } from "node:fs";
import { peakRssKB } from "./peak-rss.mjs";

const file = process.env.BENCH_USAGE_FILE;
if (file) process.on("exit", () => writeFileSync(file, JSON.stringify({ maxRssKB: peakRssKB() })));

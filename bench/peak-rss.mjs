// A process's peak RSS (KB): VmHWM, the high-water mark of its own memory since exec. getrusage's
// maxrss would not do: Linux carries it over exec from the forking parent, so every child of a
// bench that had loaded PGlite reported at least the bench's own ~450 MB.
import { readFileSync } from "node:fs";

export function peakRssKB() {
  try {
    const line = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (line) return Number(line[1]);
  } catch {
    // not Linux: getrusage's figure, which may include the parent's
  }
  return process.resourceUsage().maxRSS;
}

import v8 from "node:v8";
import vm from "node:vm";

/**
 * Listing pages arrive as ~1 MB JSON texts, and written batches go out as parameter texts of
 * similar size; V8 moves those alive at a scavenge straight into old space and collects them
 * lazily: left alone, a 100k-user sync peaks at well over twice its live data. A full collection
 * once the heap has grown well past what the last one kept holds the peak near the live set.
 * `--expose-gc` is enabled at runtime for this one function.
 */
function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}

/** Below this the heap is left to V8: small syncs never pay for a full collection. */
const HEAP_TRIM_FLOOR = 150 * 1024 * 1024;
/** A collection once the heap holds this much more than the last one kept: the garbage allowed to build up. */
const HEAP_TRIM_HEADROOM = 40 * 1024 * 1024;

let collect: (() => void) | undefined | null = null;
let trimAt = HEAP_TRIM_FLOOR;

/**
 * Called as work is done (after each listed page, each written batch): a full collection once the
 * heap has passed both the floor and the last collection's live set plus the headroom. Counting
 * pages or rows instead collected on schedule, whatever had built up: a 100k no-op paid ten full
 * collections where seven hold the same peak (see docs/profile.md).
 */
export function trimHeap(): void {
  if (v8.getHeapStatistics().used_heap_size < trimAt) return;
  if (collect === null) collect = exposeGc();
  if (!collect) return;
  collect();
  trimAt = Math.max(HEAP_TRIM_FLOOR, v8.getHeapStatistics().used_heap_size + HEAP_TRIM_HEADROOM);
}

import v8 from "node:v8";
import vm from "node:vm";

/**
 * Listing pages arrive as ~1 MB JSON texts, and written batches go out as parameter texts of
 * similar size; V8 moves those alive at a scavenge straight into old space and collects them
 * lazily: left alone, a 100k-user sync peaks at well over twice its live data. A full collection
 * every few dozen pages (or tens of thousands of rows written) keeps the peak near the live set for
 * a few percent of the time. `--expose-gc` is enabled at runtime for this one function.
 */
function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}

/** A function to call as work is done (`units` of it at a time): a full collection each time `every` more units are done. */
export function createHeapTrimmer(every: number): (units?: number) => void {
  const gc = exposeGc();
  let done = 0;
  let next = every;
  return (units = 1) => {
    done += units;
    if (done < next) return;
    next = done + every;
    gc?.();
  };
}

import v8 from "node:v8";
import vm from "node:vm";

/**
 * Listing pages arrive as ~1 MB JSON texts, which V8 allocates straight into old space and
 * collects lazily: left alone, a 100k-user sync peaks at well over twice its live data. A full
 * collection every few dozen pages keeps the peak near the live set for a few percent of the
 * time. `--expose-gc` is enabled at runtime for this one function.
 */
function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}

export function createHeapTrimmer(everyPages: number): () => void {
  const gc = exposeGc();
  let pages = 0;
  return () => {
    if (gc && ++pages % everyPages === 0) gc();
  };
}

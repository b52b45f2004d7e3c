// How a long-running command (dev, --watch, webhooks) stops: the first Ctrl-C or SIGTERM asks for
// a clean stop and the command then exits 0; a second one ends the process at once. A command
// whose parent dies (`kill <pnpm pid>`: pnpm forwards nothing) stops as if told to, so no orphan
// keeps holding a port or the database.
import { constants } from "node:os";
import type { Logger } from "./log.ts";

export interface StopSignals {
  readonly signal: AbortSignal;
  /** Removes the listeners and the parent watch (call once stopped). */
  dispose(): void;
}

/** Signals closer than this to the first are one key press delivered twice, not a second press. */
const SAME_PRESS_MS = 300;
/** How often the parent is checked: a stop within a second of pnpm going is soon enough. */
const PARENT_CHECK_MS = 500;

export function stopOnSignals(log: Logger, options: { what: string; exitOnSecond?: (code: number) => void } = { what: "stopping" }): StopSignals {
  const controller = new AbortController();
  const exit = options.exitOnSecond ?? ((code: number) => process.exit(code));
  let firstAt = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      log.info(`${name}: ${options.what} cleanly (${name === "SIGINT" ? "Ctrl-C" : "SIGTERM"} again forces it)`);
      firstAt = performance.now();
      controller.abort(name);
      return;
    }
    // One Ctrl-C can arrive twice: from the terminal and forwarded by pnpm, a moment apart.
    if (performance.now() - firstAt < SAME_PRESS_MS) return;
    log.warn(`${name} again: exiting now`);
    exit(128 + constants.signals[name]);
  };
  // `on`, not `once`: a lock's own signal hook re-raises a signal nobody else still listens to.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const parent = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid === parent || controller.signal.aborted) return;
    log.info(`the parent process (pid ${parent}) is gone: ${options.what}`);
    controller.abort("parent gone");
  }, PARENT_CHECK_MS).unref();
  return {
    signal: controller.signal,
    dispose() {
      clearInterval(parentWatch);
      // The press's twin (pnpm forwards what the terminal already sent) can land after a quick stop:
      // unheard, it would kill the process by SIGINT and pnpm would report "Command failed".
      const off = () => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      };
      const twinWindow = firstAt === 0 ? 0 : SAME_PRESS_MS - (performance.now() - firstAt);
      if (twinWindow > 0) setTimeout(off, twinWindow).unref();
      else off();
    },
  };
}

/** Resolves once `signal` aborts, and leaves no listener behind. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

interface Slot {
  /** When the request finished; Infinity while it is in flight (it cannot expire yet). */
  until: number;
}

/** Waits shorter than this go unreported: they do not freeze anything a person would notice. */
const REPORT_WAITS_FROM_MS = 1000;

interface Waiter {
  priority: boolean;
  grant: (release: () => void) => void;
}

/**
 * Client-side request budget: at most `requests` per sliding `windowMs`. Clerk counts requests
 * per secret key when they arrive; a slot is therefore dated by when its request *finished*
 * (never earlier than its arrival, even if our event loop was busy between starting and sending
 * it), so the budget is spent fully without provoking 429s. `marginMs` absorbs clock skew.
 *
 * Priority requests are served first, and `reserve(n)` keeps n slots for them: the sequential
 * user-cursor chain cannot go faster than one page at a time, so it must not find the window
 * spent by parallel pages that could just as well wait.
 *
 * `onWait` hears of each stretch of at least a second that requests spend waiting for the window,
 * so a caller can say why nothing moves.
 */
export class RateBudget {
  private slots: Slot[] = [];
  private readonly waiters: Waiter[] = [];
  private reserved = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Until when the current wait has been reported. */
  private reportedUntil = -Infinity;

  constructor(
    readonly requests: number,
    readonly windowMs: number,
    private readonly marginMs = 25,
    private readonly now: () => number = () => performance.now(),
    private readonly schedule: (fn: () => void, ms: number) => ReturnType<typeof setTimeout> | undefined = (fn, ms) => setTimeout(fn, ms),
    private readonly onWait?: (ms: number) => void,
  ) {}

  /** Resolves when one more request may start, with the function to call when it has finished. */
  acquire(options: { priority?: boolean } = {}): Promise<() => void> {
    return new Promise((grant) => {
      this.waiters.push({ priority: options.priority ?? false, grant });
      this.pump();
    });
  }

  /** Holds `n` slots for priority requests (0 releases them). */
  reserve(n: number): void {
    this.reserved = Math.max(0, n);
    this.pump();
  }

  /** After a 429 the server's window is full whatever we counted: hold everyone for `ms`. */
  pause(ms: number): void {
    const until = this.now() + ms - this.windowMs - this.marginMs;
    this.slots = Array.from({ length: this.requests }, () => ({ until }));
    this.pump();
  }

  private pump(): void {
    const now = this.now();
    this.slots = this.slots.filter((s) => s.until + this.windowMs + this.marginMs > now);
    while (this.waiters.length) {
      const free = this.requests - this.slots.length;
      if (free <= 0) break;
      let index = this.waiters.findIndex((w) => w.priority);
      if (index === -1) {
        if (free <= this.reserved) break;
        index = 0;
      } else if (this.reserved > 0) this.reserved -= 1;
      const [waiter] = this.waiters.splice(index, 1);
      const slot: Slot = { until: Infinity };
      this.slots.push(slot);
      waiter!.grant(() => {
        slot.until = this.now();
        this.pump();
      });
    }
    if (!this.waiters.length || this.timer) return;
    // Otherwise wait for the earliest finished slot to leave the window (a release also pumps).
    const earliest = Math.min(...this.slots.map((s) => s.until));
    if (earliest === Infinity) return;
    const waitMs = earliest + this.windowMs + this.marginMs - now;
    if (waitMs >= REPORT_WAITS_FROM_MS && now >= this.reportedUntil) {
      this.reportedUntil = now + waitMs;
      this.onWait?.(waitMs);
    }
    this.timer = this.schedule(() => {
      this.timer = undefined;
      this.pump();
    }, waitMs);
  }
}

interface Slot {
  /** When the request finished; Infinity while it is in flight (it cannot expire yet). */
  until: number;
}

/**
 * Client-side request budget: at most `requests` per sliding `windowMs`. Clerk counts requests
 * per secret key when they arrive; a slot is therefore dated by when its request *finished*
 * (never earlier than its arrival, even if our event loop was busy between starting and
 * sending it), so the budget is spent fully without provoking 429s. `marginMs` absorbs clock
 * skew.
 */
export class RateBudget {
  private slots: Slot[] = [];
  private queue: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;

  constructor(
    readonly requests: number,
    readonly windowMs: number,
    private readonly marginMs = 25,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Resolves when one more request may start, with the function to call when it has finished. */
  acquire(): Promise<() => void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.then(
      () => {},
      () => {},
    );
    return turn;
  }

  /** After a 429 the server's window is full whatever we counted: hold everyone for `ms`. */
  pause(ms: number): void {
    const until = this.now() + ms - this.windowMs - this.marginMs;
    this.slots = Array.from({ length: this.requests }, () => ({ until }));
  }

  private async waitForSlot(): Promise<() => void> {
    for (;;) {
      const now = this.now();
      this.slots = this.slots.filter((s) => s.until + this.windowMs + this.marginMs > now);
      if (this.slots.length < this.requests) {
        const slot: Slot = { until: Infinity };
        this.slots.push(slot);
        return () => {
          slot.until = this.now();
          this.wake?.();
        };
      }
      const earliest = Math.min(...this.slots.map((s) => s.until));
      if (earliest === Infinity) {
        // Every slot is in flight: wait for one to finish.
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      } else {
        await this.sleep(earliest + this.windowMs + this.marginMs - now);
      }
    }
  }
}

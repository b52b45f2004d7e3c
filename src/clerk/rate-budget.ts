/**
 * Client-side request budget: at most `requests` starts per sliding `windowMs`. Clerk counts
 * requests per secret key over a window, so staying inside the budget spends it fully without
 * provoking 429s. `marginMs` absorbs clock and network skew between us and the server.
 */
export class RateBudget {
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly requests: number,
    readonly windowMs: number,
    private readonly marginMs = 25,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Resolves when one more request may start; callers are served in arrival order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** After a 429 the server's window is full whatever we counted: hold everyone for `ms`. */
  pause(ms: number): void {
    const until = this.now() + ms;
    // Pretend the window is full of starts that expire at `until`.
    this.starts.length = 0;
    for (let i = 0; i < this.requests; i++) this.starts.push(until - this.windowMs);
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.starts.length && this.starts[0]! + this.windowMs + this.marginMs <= now) this.starts.shift();
      if (this.starts.length < this.requests) {
        this.starts.push(now);
        return;
      }
      await this.sleep(this.starts[0]! + this.windowMs + this.marginMs - now);
    }
  }
}

import type { EmulatorStore } from "./store.ts";

/**
 * A fault for tests, matched against `METHOD /path-template` (e.g. `GET /users`,
 * `GET /organization_memberships`, `*` for all). Requests matching the rule are counted from 1;
 * requests number `nth` .. `nth + times - 1` are affected.
 */
export interface FaultRule {
  route: string;
  /** First affected matching request (1-based). Default 1. */
  nth?: number;
  /** How many consecutive matching requests are affected. Default 1; Infinity = all from nth. */
  times?: number;
  /** Answer with this status and Clerk's error envelope (500 internal_clerk_error, 503 maintenance_mode, 429 …). */
  status?: number;
  /** Seconds for Retry-After on a 429. Default 1. */
  retryAfterSeconds?: number;
  /** Delay before answering (ms). */
  latencyMs?: number;
  /** Send the headers and part of the body, then destroy the socket. */
  drop?: boolean;
  /** Change the data before this request is answered (data changing between pages). */
  mutate?: (store: EmulatorStore) => void;
  /** Change the answer's JSON before it is sent (e.g. leave out a field the spec makes optional). */
  rewrite?: (body: unknown) => unknown;
}

export class FaultInjector {
  private readonly counts = new Map<FaultRule, number>();
  private rules: FaultRule[] = [];

  set(rules: FaultRule[]): void {
    this.rules = rules;
    this.counts.clear();
  }

  add(rule: FaultRule): void {
    this.rules.push(rule);
  }

  clear(): void {
    this.set([]);
  }

  /** The rules that fire for this request (each matching rule's counter advances). */
  match(routeName: string): FaultRule[] {
    const fired: FaultRule[] = [];
    for (const rule of this.rules) {
      if (rule.route !== "*" && rule.route !== routeName) continue;
      const n = (this.counts.get(rule) ?? 0) + 1;
      this.counts.set(rule, n);
      const first = rule.nth ?? 1;
      const times = rule.times ?? 1;
      if (n >= first && n < first + times) fired.push(rule);
    }
    return fired;
  }
}

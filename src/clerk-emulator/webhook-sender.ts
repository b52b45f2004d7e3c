// The emulator's webhooks: every change to the store is delivered Svix-signed (Standard Webhooks,
// as Clerk's Svix does) to one endpoint, at least once and in no promised order. Faults make the
// delivery as unkind as Svix may be: duplicates, reordering, delays, dropped attempts.
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { serializeMembership, serializeOrganization, serializeUser } from "./serialize.ts";
import type { EmulatorStore, StoreChange } from "./store.ts";

export interface WebhookFaults {
  /** Share of events delivered twice (0..1). */
  duplicates?: number;
  /** Deliver each attempt after a random delay up to this many ms: later events overtake earlier ones. */
  reorderMs?: number;
  /** Fixed delay before every attempt (ms). */
  delayMs?: number;
  /** Share of attempts dropped on the way (never sent): the sender retries them, as Svix does. */
  drops?: number;
}

export interface WebhookSenderOptions {
  url: string;
  /** `whsec_…`: the endpoint's signing secret. */
  secret: string;
  faults?: WebhookFaults;
  random?: () => number;
  /** Tries per message before giving up (Svix: over days; here compressed to seconds). */
  maxAttempts?: number;
}

export interface WebhookSenderStats {
  events: number;
  attempts: number;
  delivered: number;
  /** Non-2xx answers and connection failures (each retried). */
  failedAttempts: number;
  dropped: number;
  /** Messages given up after maxAttempts. */
  abandoned: number;
}

/** Clerk's payload for a change: the event envelope around the Backend API's JSON of the object. */
export function eventFor(change: StoreChange, store: EmulatorStore): { type: string; data: Record<string, unknown> } {
  switch (change.type) {
    case "user.created":
    case "user.updated":
      return { type: change.type, data: serializeUser(change.user) };
    case "user.deleted":
      return { type: change.type, data: { object: "user", id: change.id, deleted: true } };
    case "organization.deleted":
      return { type: change.type, data: { object: "organization", id: change.id, deleted: true } };
    case "organization.created":
    case "organization.updated":
      return { type: change.type, data: serializeOrganization(change.organization, store) };
    default:
      return { type: change.type, data: serializeMembership(change.membership, store) };
  }
}

/** A stable signing secret for a seed, so `.env` stays right across emulator restarts. */
export function webhookSecretFor(seed: number): string {
  const bytes = Buffer.alloc(24);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = (x >>> 0) & 0xff;
  }
  return `whsec_${bytes.toString("base64")}`;
}

export class WebhookSender {
  readonly stats: WebhookSenderStats = { events: 0, attempts: 0, delivered: 0, failedAttempts: 0, dropped: 0, abandoned: 0 };
  private readonly signer: Webhook;
  private readonly random: () => number;
  private readonly pending = new Set<Promise<void>>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly store: EmulatorStore,
    private readonly options: WebhookSenderOptions,
  ) {
    this.signer = new Webhook(options.secret);
    this.random = options.random ?? Math.random;
    const listen = (change: StoreChange) => this.enqueue(eventFor(change, store));
    store.listeners.add(listen);
    this.unsubscribe = () => store.listeners.delete(listen);
  }

  /** Serialized now (the store moves on); delivered in the background. */
  private enqueue(event: { type: string; data: Record<string, unknown> }): void {
    if (this.closed) return;
    this.stats.events += 1;
    const body = JSON.stringify({ data: event.data, object: "event", type: event.type, timestamp: Date.now(), instance_id: this.store.instanceId });
    const msgId = `msg_${randomBytes(12).toString("hex")}`;
    const copies = this.random() < (this.options.faults?.duplicates ?? 0) ? 2 : 1;
    for (let i = 0; i < copies; i++) this.track(this.deliver(msgId, body));
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async deliver(msgId: string, body: string): Promise<void> {
    const faults = this.options.faults ?? {};
    const maxAttempts = this.options.maxAttempts ?? 12;
    for (let attempt = 1; attempt <= maxAttempts && !this.closed; attempt++) {
      const wait = (faults.delayMs ?? 0) + this.random() * (faults.reorderMs ?? 0) + (attempt > 1 ? Math.min(2000, 25 * 2 ** attempt) : 0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (this.closed) return;
      this.stats.attempts += 1;
      if (this.random() < (faults.drops ?? 0)) {
        this.stats.dropped += 1;
        continue;
      }
      try {
        const now = new Date();
        const res = await fetch(this.options.url, {
          method: "POST",
          headers: { "content-type": "application/json", "svix-id": msgId, "svix-timestamp": String(Math.floor(now.getTime() / 1000)), "svix-signature": this.signer.sign(msgId, now, body) },
          body,
        });
        await res.arrayBuffer();
        if (res.ok) {
          this.stats.delivered += 1;
          return;
        }
      } catch {
        // Endpoint down: retried like any failed attempt.
      }
      this.stats.failedAttempts += 1;
    }
    if (!this.closed) this.stats.abandoned += 1;
  }

  /** Resolves once every message so far is delivered or given up. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
  }
}

/** `--webhook-faults duplicates,reorder,drops,delay=200` → faults (bare names take a lively default). */
export function parseWebhookFaults(spec: string): WebhookFaults {
  const faults: WebhookFaults = {};
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [name, raw] = part.split("=");
    const value = raw === undefined ? undefined : Number(raw);
    if (raw !== undefined && !Number.isFinite(value)) throw new Error(`--webhook-faults: ${part} is not a number`);
    if (name === "duplicates") faults.duplicates = value ?? 0.3;
    else if (name === "reorder") faults.reorderMs = value ?? 300;
    else if (name === "delay") faults.delayMs = value ?? 200;
    else if (name === "drops") faults.drops = value ?? 0.2;
    else throw new Error(`--webhook-faults: unknown fault "${name}" (duplicates, reorder, delay, drops)`);
  }
  return faults;
}

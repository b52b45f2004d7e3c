// A Clerk webhook event, as the live path understands it: which record, and whether it now exists.
// Pure. `data` is the Backend API's JSON of the object, so it goes through the same wire
// conversion and the same zod mapping as a listing.
import { z } from "zod";
import { membershipFromWire, organizationFromWire, userFromWire } from "../clerk/wire.ts";
import type { InvalidRecord } from "../mirror/rows.ts";

export const LIVE_EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deleted",
  "organization.created",
  "organization.updated",
  "organization.deleted",
  "organizationMembership.created",
  "organizationMembership.updated",
  "organizationMembership.deleted",
] as const;

export type Entity = InvalidRecord["entity"];

/** An event type the mirror follows; any other (session.*, email.*, …) is acknowledged and ignored. */
export function isHandledEventType(type: unknown): boolean {
  return (LIVE_EVENT_TYPES as readonly unknown[]).includes(type);
}

export type LiveChange =
  /** Clerk's current copy (camelCase, not yet validated: the map stage does that). */
  | { op: "upsert"; entity: Entity; id: string; record: unknown }
  | { op: "delete"; entity: Entity; id: string };

const envelope = z.object({
  type: z.string(),
  object: z.literal("event").optional(),
  data: z.record(z.string(), z.unknown()),
  timestamp: z.number().optional(),
  instance_id: z.string().optional(),
});

export type LiveEvent = { type: string; change: LiveChange; timestamp: number | undefined; instanceId: string | undefined };

/** A body the live path cannot use: the reason goes back to the sender (4xx), nothing is written. */
export class UnusableEvent extends Error {
  override name = "UnusableEvent";
}

const ENTITY: Record<string, Entity> = { user: "user", organization: "organization", organizationMembership: "membership" };
const FROM_WIRE = { user: userFromWire, organization: organizationFromWire, membership: membershipFromWire } as const;

export function parseLiveEvent(json: unknown): LiveEvent {
  const parsed = envelope.safeParse(json);
  if (!parsed.success) throw new UnusableEvent(`malformed event: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"} ${i.message}`).join("; ")}`);
  const { type, data, timestamp, instance_id } = parsed.data;
  if (!isHandledEventType(type)) throw new UnusableEvent(`unknown event type "${type}" (handled: ${LIVE_EVENT_TYPES.join(", ")})`);
  const [prefix, action] = type.split(".") as [string, string];
  const entity = ENTITY[prefix]!;
  const id = data.id;
  if (typeof id !== "string" || !id) throw new UnusableEvent(`malformed event: data.id is missing`);
  const change: LiveChange = action === "deleted" ? { op: "delete", entity, id } : { op: "upsert", entity, id, record: FROM_WIRE[entity](data) };
  return { type, change, timestamp, instanceId: instance_id };
}

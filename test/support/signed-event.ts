// A Clerk event as Svix delivers it to an app's route: the JSON body and the headers signed with the
// endpoint's secret (standardwebhooks, which verifyWebhook checks).
import { Webhook } from "standardwebhooks";

export interface SignedEvent {
  body: string;
  headers: Record<string, string>;
}

export function signedEvent(secret: string, event: { type: string; data: Record<string, unknown>; instanceId: string; msgId?: string }): SignedEvent {
  const body = JSON.stringify({ type: event.type, object: "event", data: event.data, timestamp: Date.now(), instance_id: event.instanceId });
  const msgId = event.msgId ?? `msg_${Math.random().toString(36).slice(2)}`;
  const at = new Date();
  return { body, headers: { "content-type": "application/json", "svix-id": msgId, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": new Webhook(secret).sign(msgId, at, body) } };
}

/** The event POSTed to `url` as a Fetch API Request (what a route handler receives). */
export const signedRequest = (url: string, event: SignedEvent) => new Request(url, { method: "POST", headers: event.headers, body: event.body });

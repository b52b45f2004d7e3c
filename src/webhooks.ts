// `clerk-resync/webhooks`: Clerk's webhooks into the mirror from the app's own server.
export { handleClerkWebhook, clerkWebhookRoute, createClerkWebhookHandler, type ClerkWebhookHandler, type WebhookHandlerDeps, type WebhookStats } from "./live/handle-clerk-webhook.ts";
export { toNodeHandler, toWebRequest, type NodeHandler, type NodeRequest } from "./live/node-adapter.ts";

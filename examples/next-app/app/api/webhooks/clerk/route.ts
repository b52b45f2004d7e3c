// Clerk's webhooks for this app (Next.js App Router): signed events written into the app's own
// tables through the mapping in clerk-resync.config.ts. Point the Clerk dashboard's endpoint at
// /api/webhooks/clerk and set CLERK_WEBHOOK_SIGNING_SECRET and DATABASE_URL.
import { clerkWebhookRoute } from "clerk-resync/webhooks";
import config from "@/clerk-resync.config";

export const POST = clerkWebhookRoute(config);

// The one rule for when a copy of a record from Clerk may replace the database's copy. The plan
// applies it in TypeScript and the upserts in SQL (writes.ts), so the plan says exactly
// what the apply writes.

/** Clerk write paths: a resync, and (issue 13) a webhook. Recorded per row in `syncSource`. */
export type SyncSource = "resync" | "webhook";

/**
 * An older copy from Clerk never replaces a newer copy from Clerk, whichever path brought either;
 * anything else (a row no Clerk path wrote, or a local edit, which leaves `clerkUpdatedAt` alone)
 * is replaced: Clerk wins. Equal timestamps replace, so a local edit is repaired.
 */
export function clerkCopyMayReplace(storedClerkUpdatedAt: number | null, incomingUpdatedAt: number): boolean {
  return storedClerkUpdatedAt === null || storedClerkUpdatedAt <= incomingUpdatedAt;
}

/** clerkCopyMayReplace in SQL, on the row `table` (a name or an alias) and the incoming copy's time (by default an upsert's EXCLUDED row). */
export function clerkCopyMayReplaceSql(table: string, incoming = `EXCLUDED."clerkUpdatedAt"`): string {
  return `("${table}"."clerkUpdatedAt" IS NULL OR "${table}"."clerkUpdatedAt" <= ${incoming})`;
}

import type pg from "pg";
import { serializeOrganization, serializeUser } from "../../src/clerk-emulator/serialize.ts";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { ROLES } from "../../src/clerk-emulator/model.ts";
import type { EmulatorStore } from "../../src/clerk-emulator/store.ts";
import { ClerkApi } from "../../src/clerk/client.ts";
import type { Database } from "../../src/db/database.ts";
import { seedDefaults } from "../../examples/seed-app/prisma/seed-defaults.ts";
import { readLocalState } from "../../src/mirror/local-state.ts";
import { silentLogger, type Logger } from "../../src/log.ts";
import { canonicalJson } from "../../src/mirror/json-text.ts";
import type { LocalState } from "../../src/mirror/rows.ts";
import { defaultResyncOptions, runResync, type ResyncOptions } from "../../src/sync/resync.ts";

export function apiFor(emu: RunningEmulator, options: { log?: Logger; requestsPerWindow?: number; windowMs?: number; secretKey?: string } = {}): ClerkApi {
  return new ClerkApi({
    secretKey: options.secretKey ?? emu.secretKey,
    apiUrl: emu.url,
    requestsPerWindow: options.requestsPerWindow ?? 1000,
    windowMs: options.windowMs ?? 10_000,
    log: options.log ?? silentLogger,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
  });
}

export async function resync(emu: RunningEmulator, db: Database, options: Partial<ResyncOptions> & { log?: Logger } = {}) {
  return runResync(
    { db, api: apiFor(emu, { log: options.log }), log: options.log ?? silentLogger },
    { ...defaultResyncOptions("/tmp/clerk-resync-test-sidecars"), ...options },
  );
}

const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));

/**
 * What the database must hold after a sync: the emulator's data as rows, sorted by id, each written
 * by a resync with Clerk's updated_at as its provenance. Private metadata only when mirrored.
 */
export function expectedState(store: EmulatorStore, options: { privateMetadata?: boolean } = {}): LocalState {
  const provenance = (r: { updatedAt: number }) => ({ clerkUpdatedAt: r.updatedAt, syncSource: "resync" });
  const priv = (m: Record<string, unknown>) => (options.privateMetadata ? canonicalJson(m) : null);
  return {
    users: byId(
      [...store.users.values()].map((u) => ({
        id: u.id,
        email: store.primaryEmail(u),
        phoneNumber: u.phones.find((p) => p.id === u.primaryPhoneId)?.phoneNumber ?? null,
        firstName: u.firstName,
        lastName: u.lastName,
        username: u.username,
        imageUrl: serializeUser(u).image_url as string,
        externalId: u.externalId,
        publicMetadata: canonicalJson(u.publicMetadata),
        privateMetadata: priv(u.privateMetadata),
        banned: u.banned,
        locked: u.locked,
        lastSignInAt: u.lastSignInAt,
        createdAt: u.createdAt,
        updatedAt: u.updatedAt,
        ...provenance(u),
      })),
    ),
    organizations: byId(
      [...store.organizations.values()].map((o) => ({
        id: o.id,
        name: o.name,
        slug: o.slug,
        imageUrl: serializeOrganization(o, store).image_url as string,
        publicMetadata: canonicalJson(o.publicMetadata),
        privateMetadata: priv(o.privateMetadata),
        maxAllowedMemberships: o.maxAllowedMemberships,
        createdBy: o.createdBy,
        createdAt: o.createdAt,
        updatedAt: o.updatedAt,
        ...provenance(o),
      })),
    ),
    memberships: byId(
      [...store.memberships.values()].map((m) => ({
        id: m.id,
        organizationId: m.organizationId,
        userId: m.userId,
        role: m.role,
        permissions: ROLES[m.role]?.permissions ?? [],
        publicMetadata: canonicalJson(m.publicMetadata),
        privateMetadata: priv(m.privateMetadata),
        createdAt: m.createdAt,
        updatedAt: m.updatedAt,
        ...provenance(m),
      })),
    ),
  };
}

/** Which path wrote a row (resync or webhook) is not Clerk's state: compared without it. */
export const clerkState = (s: LocalState) => ({
  users: s.users.map(({ syncSource: _, ...r }) => r),
  organizations: s.organizations.map(({ syncSource: _, ...r }) => r),
  memberships: s.memberships.map(({ syncSource: _, ...r }) => r),
});

export async function actualState(db: Database): Promise<LocalState> {
  const s = await readLocalState(db.pool);
  return { users: byId(s.users), organizations: byId(s.organizations), memberships: byId(s.memberships) };
}

export async function truncateAll(pool: pg.Pool): Promise<void> {
  await pool.query(`TRUNCATE "OrganizationMembership", "OrganizationService", "Prompt", "Resource", "McpServer", "User", "Organization", "ClerkSyncState", "ClerkTombstone", "ClerkWebhookDelivery" RESTART IDENTITY CASCADE`);
}

/** A test's starting point: an empty mirror, the defaults seeded, then synced from the emulator. */
export async function resetToSynced(emu: RunningEmulator, db: Database): Promise<void> {
  await truncateAll(db.pool);
  await seedDefaults(db);
  await resync(emu, db);
}

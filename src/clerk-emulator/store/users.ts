import { identifierExists, notFound, paramInvalid } from "../errors.ts";
import type { EmailRecord, Metadata, UserRecord } from "../model.ts";
import { applyPatch } from "./apply-patch.ts";
import type { StoreContext } from "./context.ts";
import { UniqueIndex } from "./indexes.ts";

export interface CreateUserInput {
  externalId?: string | null;
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  emailAddresses?: string[];
  phoneNumbers?: string[];
  imageUrl?: string | null;
  publicMetadata?: Metadata;
  privateMetadata?: Metadata;
  unsafeMetadata?: Metadata;
  passwordEnabled?: boolean;
  createdAt?: number;
}

// Besides the PATCH /users/{id} fields: what ban/lock, sign-ins and PATCH …/metadata change (tests set them directly).
export type UpdateUserInput = Partial<Pick<UserRecord, "externalId" | "username" | "firstName" | "lastName" | "imageUrl" | "banned" | "locked" | "lastSignInAt" | "publicMetadata" | "privateMetadata" | "unsafeMetadata">> & {
  primaryEmailAddressId?: string;
};

export function primaryEmail(user: UserRecord): string | null {
  return user.emails.find((e) => e.id === user.primaryEmailId)?.emailAddress ?? null;
}

/** The instance's users, unique by email address, username (any case) and external id. */
export class UserStore {
  readonly byId = new Map<string, UserRecord>();
  /** created_at of deleted users, so a `starting_after` cursor naming one still resolves. */
  private readonly deletedCreatedAt = new Map<string, number>();
  private readonly emails = new UniqueIndex("email_address");
  private readonly usernames = new UniqueIndex("username", (username) => username.toLowerCase());
  private readonly externalIds = new UniqueIndex("external_id");

  constructor(private readonly context: StoreContext) {}

  create(input: CreateUserInput): UserRecord {
    const createdAt = input.createdAt ?? this.context.now();
    const emails = (input.emailAddresses ?? []).map((e) => e.trim().toLowerCase());
    for (const e of emails) if (this.emails.has(e) || emails.indexOf(e) !== emails.lastIndexOf(e)) throw identifierExists("email_address");
    this.usernames.assertFree(input.username);
    this.externalIds.assertFree(input.externalId);
    const newId = this.context.newId;
    const id = newId("user");
    const emailRecords: EmailRecord[] = emails.map((emailAddress) => ({ id: newId("idn"), emailAddress, reserved: false, createdAt, updatedAt: createdAt }));
    const phones = (input.phoneNumbers ?? []).map((phoneNumber) => ({ id: newId("idn"), phoneNumber, createdAt, updatedAt: createdAt }));
    const user: UserRecord = {
      id,
      externalId: input.externalId ?? null,
      username: input.username ?? null,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      emails: emailRecords,
      primaryEmailId: emailRecords[0]?.id ?? null,
      phones,
      primaryPhoneId: phones[0]?.id ?? null,
      imageUrl: input.imageUrl ?? null,
      publicMetadata: input.publicMetadata ?? {},
      privateMetadata: input.privateMetadata ?? {},
      unsafeMetadata: input.unsafeMetadata ?? {},
      passwordEnabled: input.passwordEnabled ?? false,
      banned: false,
      locked: false,
      lastSignInAt: null,
      lastActiveAt: null,
      createdAt,
      updatedAt: createdAt,
    };
    this.byId.set(id, user);
    for (const e of emails) this.emails.claim(e, id);
    if (user.username) this.usernames.claim(user.username, id);
    if (user.externalId) this.externalIds.claim(user.externalId, id);
    this.context.changed({ type: "user.created", user });
    return user;
  }

  get(id: string): UserRecord {
    const user = this.byId.get(id);
    if (!user) throw notFound(`No user was found with id ${id}`);
    return user;
  }

  update(id: string, patch: UpdateUserInput): UserRecord {
    const user = this.get(id);
    if (patch.username !== undefined && patch.username !== user.username) {
      this.usernames.rename(user.username, patch.username, id);
      user.username = patch.username;
    }
    if (patch.externalId !== undefined && patch.externalId !== user.externalId) {
      this.externalIds.rename(user.externalId, patch.externalId, id);
      user.externalId = patch.externalId;
    }
    applyPatch(user, patch, ["firstName", "lastName", "imageUrl", "banned", "locked", "lastSignInAt", "publicMetadata", "privateMetadata", "unsafeMetadata"]);
    if (patch.primaryEmailAddressId !== undefined) {
      if (!user.emails.some((e) => e.id === patch.primaryEmailAddressId)) throw paramInvalid("primary_email_address_id");
      user.primaryEmailId = patch.primaryEmailAddressId;
    }
    user.updatedAt = this.context.now();
    this.context.changed({ type: "user.updated", user });
    return user;
  }

  /** Adds an email address to a user (like POST /email_addresses); `primary` makes it the primary one. */
  addEmailAddress(userId: string, emailAddress: string, primary = false): EmailRecord {
    const user = this.get(userId);
    const email = emailAddress.trim().toLowerCase();
    if (this.emails.has(email)) throw identifierExists("email_address");
    const now = this.context.now();
    const record: EmailRecord = { id: this.context.newId("idn"), emailAddress: email, reserved: false, createdAt: now, updatedAt: now };
    user.emails.push(record);
    this.emails.claim(email, userId);
    if (primary || !user.primaryEmailId) user.primaryEmailId = record.id;
    user.updatedAt = now;
    this.context.changed({ type: "user.updated", user });
    return record;
  }

  /** Deletes a user whose memberships are already gone (EmulatorStore.deleteUser removes them first). */
  remove(user: UserRecord): void {
    this.byId.delete(user.id);
    this.deletedCreatedAt.set(user.id, user.createdAt);
    for (const e of user.emails) this.emails.release(e.emailAddress);
    if (user.username) this.usernames.release(user.username);
    if (user.externalId) this.externalIds.release(user.externalId);
    this.context.changed({ type: "user.deleted", id: user.id });
  }

  /** Position key of a user for `starting_after`, also for users deleted since the cursor was taken. */
  cursor(id: string): { id: string; createdAt: number } | undefined {
    const createdAt = this.byId.get(id)?.createdAt ?? this.deletedCreatedAt.get(id);
    return createdAt === undefined ? undefined : { id, createdAt };
  }
}

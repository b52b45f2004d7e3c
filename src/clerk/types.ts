// What the fetch stage hands to the map stage: the parts of Clerk's objects the database keeps,
// in the SDK's camelCase. SDK resource objects satisfy these shapes as they are.

export interface ClerkEmailAddress {
  id: string;
  emailAddress: string;
}

export interface ClerkPhoneNumber {
  id: string;
  phoneNumber: string;
}

export interface ClerkUser {
  id: string;
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  imageUrl: string;
  primaryEmailAddressId: string | null;
  emailAddresses: ClerkEmailAddress[];
  primaryPhoneNumberId: string | null;
  phoneNumbers: ClerkPhoneNumber[];
  publicMetadata: Record<string, unknown> | null;
  privateMetadata: Record<string, unknown> | null;
  unsafeMetadata?: Record<string, unknown> | null;
  banned: boolean;
  locked: boolean;
  lastSignInAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ClerkOrganization {
  id: string;
  name: string;
  slug: string;
  imageUrl: string;
  publicMetadata: Record<string, unknown> | null;
  privateMetadata: Record<string, unknown> | null;
  maxAllowedMemberships: number;
  createdBy?: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ClerkMembership {
  id: string;
  role: string;
  permissions: string[];
  publicMetadata: Record<string, unknown> | null;
  privateMetadata: Record<string, unknown> | null;
  createdAt: number;
  updatedAt: number;
  organization: { id: string };
  publicUserData?: { userId: string } | null;
}

export interface ClerkSnapshot {
  users: ClerkUser[];
  organizations: ClerkOrganization[];
  memberships: ClerkMembership[];
}

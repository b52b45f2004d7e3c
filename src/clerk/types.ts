// What the fetch stage hands to the map stage: the parts of Clerk's objects the database keeps,
// in the SDK's camelCase. SDK resource objects satisfy these shapes as they are.

export interface ClerkEmailAddress {
  id: string;
  emailAddress: string;
}

export interface ClerkUser {
  id: string;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  imageUrl: string;
  primaryEmailAddressId: string | null;
  emailAddresses: ClerkEmailAddress[];
  createdAt: number;
  updatedAt: number;
}

export interface ClerkOrganization {
  id: string;
  name: string;
  slug: string;
  imageUrl: string;
  createdAt: number;
  updatedAt: number;
}

export interface ClerkMembership {
  id: string;
  role: string;
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

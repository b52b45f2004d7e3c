/** The emulator's internal records (the wire format is built from these in serialize.ts). */
export interface EmailRecord {
  id: string;
  emailAddress: string;
  reserved: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface PhoneRecord {
  id: string;
  phoneNumber: string;
  createdAt: number;
  updatedAt: number;
}

export type Metadata = Record<string, unknown>;

export interface UserRecord {
  id: string;
  externalId: string | null;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  emails: EmailRecord[];
  primaryEmailId: string | null;
  phones: PhoneRecord[];
  primaryPhoneId: string | null;
  imageUrl: string | null;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  unsafeMetadata: Metadata;
  passwordEnabled: boolean;
  banned: boolean;
  locked: boolean;
  lastSignInAt: number | null;
  lastActiveAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface OrganizationRecord {
  id: string;
  name: string;
  slug: string;
  imageUrl: string | null;
  maxAllowedMemberships: number;
  adminDeleteEnabled: boolean;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface MembershipRecord {
  id: string;
  organizationId: string;
  userId: string;
  role: string;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  createdAt: number;
  updatedAt: number;
}

/** Role keys the emulated instance knows, with their permissions. */
export const ROLES: Record<string, { name: string; permissions: string[] }> = {
  "org:admin": {
    name: "Admin",
    permissions: ["org:sys_profile:manage", "org:sys_profile:delete", "org:sys_memberships:read", "org:sys_memberships:manage", "org:sys_domains:read", "org:sys_domains:manage"],
  },
  "org:member": { name: "Member", permissions: ["org:sys_memberships:read"] },
  "org:billing": { name: "Billing manager", permissions: ["org:sys_memberships:read", "org:sys_billing:manage"] },
  "org:viewer": { name: "Viewer", permissions: [] },
};

-- More of Clerk's fields on the mirrored tables, and where each row's copy came from.
-- clerkUpdatedAt stays null on existing rows: their origin is unknown, so the next resync
-- treats them as local copies (Clerk wins) and records its own updated_at.
-- AlterTable
ALTER TABLE "User" ADD COLUMN     "banned" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "clerkUpdatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "externalId" TEXT,
ADD COLUMN     "lastSignInAt" TIMESTAMPTZ(3),
ADD COLUMN     "locked" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "phoneNumber" TEXT,
ADD COLUMN     "privateMetadata" JSONB,
ADD COLUMN     "publicMetadata" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "syncSource" TEXT;

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "clerkUpdatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "createdBy" TEXT,
ADD COLUMN     "maxAllowedMemberships" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "privateMetadata" JSONB,
ADD COLUMN     "publicMetadata" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "syncSource" TEXT;

-- AlterTable
ALTER TABLE "OrganizationMembership" ADD COLUMN     "clerkUpdatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "permissions" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "privateMetadata" JSONB,
ADD COLUMN     "publicMetadata" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "syncSource" TEXT;


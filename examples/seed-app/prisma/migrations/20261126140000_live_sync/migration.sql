-- The live path: deletes that stay deleted, and webhook deliveries applied once.

-- CreateTable
CREATE TABLE "ClerkTombstone" (
    "id" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "deletedAt" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,

    CONSTRAINT "ClerkTombstone_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClerkWebhookDelivery" (
    "svixId" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClerkWebhookDelivery_pkey" PRIMARY KEY ("svixId")
);

-- CreateIndex
CREATE INDEX "ClerkWebhookDelivery_receivedAt_idx" ON "ClerkWebhookDelivery"("receivedAt");

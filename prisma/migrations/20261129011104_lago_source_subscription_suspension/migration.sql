-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "sourceId" TEXT,
ADD COLUMN     "suspendedBy" TEXT;

-- CreateTable
CREATE TABLE "SubscriptionSuspension" (
    "id" UUID NOT NULL,
    "subscriptionId" UUID NOT NULL,
    "suspendedAt" TIMESTAMPTZ(3) NOT NULL,
    "resumedAt" TIMESTAMPTZ(3),
    "reason" TEXT NOT NULL,
    "resumeReason" TEXT,
    "suspendedById" UUID,
    "resumedById" UUID,

    CONSTRAINT "SubscriptionSuspension_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SubscriptionSuspension_subscriptionId_suspendedAt_idx" ON "SubscriptionSuspension"("subscriptionId", "suspendedAt");

-- AddForeignKey
ALTER TABLE "SubscriptionSuspension" ADD CONSTRAINT "SubscriptionSuspension_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

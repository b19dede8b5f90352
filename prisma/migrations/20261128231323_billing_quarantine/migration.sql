-- AlterEnum
ALTER TYPE "BillingRunStatus" ADD VALUE 'completed_with_errors';

-- CreateTable
CREATE TABLE "BillingQuarantine" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "shadow" BOOLEAN NOT NULL DEFAULT false,
    "boundary" TIMESTAMPTZ(3) NOT NULL,
    "code" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "billingRunId" UUID,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "releasedAt" TIMESTAMPTZ(3),
    "releasedById" UUID,

    CONSTRAINT "BillingQuarantine_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BillingQuarantine_customerId_serviceId_shadow_boundary_key" ON "BillingQuarantine"("customerId", "serviceId", "shadow", "boundary");

-- AlterEnum
ALTER TYPE "InvoiceType" ADD VALUE 'progressive_billing';

-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "progressiveBillingCreditCents" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "UsageThreshold" (
    "id" UUID NOT NULL,
    "planId" UUID NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "thresholdDisplayName" TEXT,
    "recurring" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "UsageThreshold_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppliedUsageThreshold" (
    "id" UUID NOT NULL,
    "subscriptionId" UUID NOT NULL,
    "usageThresholdId" UUID,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "levelCents" BIGINT NOT NULL,
    "usageCents" BIGINT NOT NULL,
    "invoiceId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AppliedUsageThreshold_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageAlert" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "subscriptionId" UUID NOT NULL,
    "alertType" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT,
    "billableMetricId" UUID,
    "thresholds" JSONB NOT NULL DEFAULT '[]',
    "previousValue" DECIMAL(38,12) NOT NULL DEFAULT 0,
    "previousPeriodStart" TIMESTAMPTZ(3),
    "lastProcessedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "UsageAlert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TriggeredAlert" (
    "id" UUID NOT NULL,
    "alertId" UUID NOT NULL,
    "subscriptionId" UUID NOT NULL,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "previousValue" DECIMAL(38,12) NOT NULL,
    "currentValue" DECIMAL(38,12) NOT NULL,
    "crossedThresholds" JSONB NOT NULL,
    "triggeredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TriggeredAlert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "UsageThreshold_planId_idx" ON "UsageThreshold"("planId");

-- CreateIndex
CREATE INDEX "AppliedUsageThreshold_usageThresholdId_idx" ON "AppliedUsageThreshold"("usageThresholdId");

-- CreateIndex
CREATE UNIQUE INDEX "AppliedUsageThreshold_subscriptionId_periodStart_levelCents_key" ON "AppliedUsageThreshold"("subscriptionId", "periodStart", "levelCents");

-- CreateIndex
CREATE UNIQUE INDEX "UsageAlert_subscriptionId_code_key" ON "UsageAlert"("subscriptionId", "code");

-- CreateIndex
CREATE INDEX "TriggeredAlert_alertId_idx" ON "TriggeredAlert"("alertId");

-- AddForeignKey
ALTER TABLE "UsageThreshold" ADD CONSTRAINT "UsageThreshold_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppliedUsageThreshold" ADD CONSTRAINT "AppliedUsageThreshold_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppliedUsageThreshold" ADD CONSTRAINT "AppliedUsageThreshold_usageThresholdId_fkey" FOREIGN KEY ("usageThresholdId") REFERENCES "UsageThreshold"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageAlert" ADD CONSTRAINT "UsageAlert_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageAlert" ADD CONSTRAINT "UsageAlert_billableMetricId_fkey" FOREIGN KEY ("billableMetricId") REFERENCES "BillableMetric"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TriggeredAlert" ADD CONSTRAINT "TriggeredAlert_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "UsageAlert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

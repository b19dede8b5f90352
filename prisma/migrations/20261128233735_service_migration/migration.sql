-- CreateEnum
CREATE TYPE "MigrationState" AS ENUM ('dual_run', 'live', 'retired');

-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "cutoverPlanId" UUID;

-- CreateTable
CREATE TABLE "ServiceMigration" (
    "serviceId" UUID NOT NULL,
    "sourceKind" TEXT NOT NULL,
    "state" "MigrationState" NOT NULL DEFAULT 'dual_run',
    "connectionEncrypted" TEXT,
    "toleranceCents" BIGINT NOT NULL DEFAULT 1,
    "tolerancePercent" DECIMAL(9,4) NOT NULL DEFAULT 0,
    "scheduleCron" TEXT,
    "driftAlertMismatches" INTEGER NOT NULL DEFAULT 0,
    "driftAlertDeltaCents" BIGINT NOT NULL DEFAULT 10000,
    "readinessMonths" INTEGER NOT NULL DEFAULT 2,
    "promotionBoundary" TIMESTAMPTZ(3),
    "promotedAt" TIMESTAMPTZ(3),
    "promotedById" UUID,
    "promotionOverrideReason" TEXT,
    "promotionSnapshot" JSONB NOT NULL DEFAULT '{}',
    "retiredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ServiceMigration_pkey" PRIMARY KEY ("serviceId")
);

-- CreateTable
CREATE TABLE "ReconciliationRun" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "period" CHAR(7) NOT NULL,
    "rows" INTEGER NOT NULL,
    "matchCount" INTEGER NOT NULL,
    "deltaCount" INTEGER NOT NULL,
    "errorCount" INTEGER NOT NULL,
    "unlinkedCount" INTEGER NOT NULL,
    "totalAbsDeltaCents" BIGINT NOT NULL,
    "unlinked" JSONB NOT NULL DEFAULT '[]',
    "sourceSignature" TEXT,
    "importRunId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReconciliationRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MigrationAlert" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "period" CHAR(7) NOT NULL,
    "reconciliationRunId" UUID NOT NULL,
    "message" TEXT NOT NULL,
    "emailedTo" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedAt" TIMESTAMPTZ(3),
    "acknowledgedById" UUID,

    CONSTRAINT "MigrationAlert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReconciliationRun_serviceId_period_createdAt_idx" ON "ReconciliationRun"("serviceId", "period", "createdAt");

-- CreateIndex
CREATE INDEX "MigrationAlert_serviceId_acknowledgedAt_idx" ON "MigrationAlert"("serviceId", "acknowledgedAt");

-- AddForeignKey
ALTER TABLE "Plan" ADD CONSTRAINT "Plan_cutoverPlanId_fkey" FOREIGN KEY ("cutoverPlanId") REFERENCES "Plan"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceMigration" ADD CONSTRAINT "ServiceMigration_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
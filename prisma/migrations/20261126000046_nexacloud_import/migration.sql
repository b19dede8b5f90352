-- AlterTable
ALTER TABLE "ImportRun" ADD COLUMN     "processedRows" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "serviceId" UUID,
ADD COLUMN     "totalRows" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "unchangedCount" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "NexaCloudSource" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "dsnEncrypted" TEXT,
    "serviceId" UUID,
    "toleranceCents" BIGINT NOT NULL DEFAULT 1,
    "tolerancePercent" DECIMAL(9,4) NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "NexaCloudSource_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ImportRun_kind_startedAt_idx" ON "ImportRun"("kind", "startedAt");

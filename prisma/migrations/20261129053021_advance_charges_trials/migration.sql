-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "trialEndedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "AdvanceChargeFee" (
    "id" UUID NOT NULL,
    "subscriptionId" UUID NOT NULL,
    "chargeId" UUID NOT NULL,
    "transactionId" TEXT NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "periodEnd" TIMESTAMPTZ(3) NOT NULL,
    "units" DECIMAL(38,12) NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "invoiceId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdvanceChargeFee_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AdvanceChargeFee_subscriptionId_chargeId_periodStart_idx" ON "AdvanceChargeFee"("subscriptionId", "chargeId", "periodStart");

-- CreateIndex
CREATE UNIQUE INDEX "AdvanceChargeFee_subscriptionId_chargeId_transactionId_key" ON "AdvanceChargeFee"("subscriptionId", "chargeId", "transactionId");

-- AddForeignKey
ALTER TABLE "AdvanceChargeFee" ADD CONSTRAINT "AdvanceChargeFee_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdvanceChargeFee" ADD CONSTRAINT "AdvanceChargeFee_chargeId_fkey" FOREIGN KEY ("chargeId") REFERENCES "Charge"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdvanceChargeFee" ADD CONSTRAINT "AdvanceChargeFee_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE SET NULL ON UPDATE CASCADE;

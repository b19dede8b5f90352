-- CreateEnum
CREATE TYPE "OfflinePaymentMethod" AS ENUM ('eft', 'cheque', 'wire', 'cash');

-- AlterTable
ALTER TABLE "Customer" ALTER COLUMN "netPaymentTermDays" DROP NOT NULL,
ALTER COLUMN "netPaymentTermDays" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "seller" JSONB;

-- AlterTable
ALTER TABLE "CreditNote" ADD COLUMN     "billedTo" JSONB,
ADD COLUMN     "seller" JSONB;

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "receiptId" UUID;

-- AlterTable
ALTER TABLE "CompanyProfile" ADD COLUMN     "defaultPaymentTermDays" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "invoiceFooter" TEXT,
ADD COLUMN     "journalAccounts" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "logoId" TEXT;

-- CreateTable
CREATE TABLE "PaymentReceipt" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "method" "OfflinePaymentMethod" NOT NULL,
    "reference" TEXT NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'CAD',
    "receivedOn" DATE NOT NULL,
    "unappliedCents" BIGINT NOT NULL DEFAULT 0,
    "note" TEXT,
    "recordedById" UUID,
    "reversedAt" TIMESTAMPTZ(3),
    "reversalReason" TEXT,
    "reversedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaymentReceipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CompanyLogo" (
    "id" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CompanyLogo_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PaymentReceipt_customerId_receivedOn_idx" ON "PaymentReceipt"("customerId", "receivedOn");

-- CreateIndex
CREATE INDEX "PaymentReceipt_receivedOn_idx" ON "PaymentReceipt"("receivedOn");

-- CreateIndex
CREATE INDEX "Payment_receiptId_idx" ON "Payment"("receiptId");

-- AddForeignKey
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_receiptId_fkey" FOREIGN KEY ("receiptId") REFERENCES "PaymentReceipt"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaymentReceipt" ADD CONSTRAINT "PaymentReceipt_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- CreateEnum
CREATE TYPE "WalletStatus" AS ENUM ('active', 'terminated');

-- CreateEnum
CREATE TYPE "WalletTransactionType" AS ENUM ('inbound', 'outbound');

-- CreateEnum
CREATE TYPE "WalletTransactionStatus" AS ENUM ('pending', 'settled', 'failed');

-- CreateEnum
CREATE TYPE "WalletTransactionKind" AS ENUM ('purchased', 'granted', 'voided', 'invoiced');

-- AlterEnum
ALTER TYPE "InvoiceLineKind" ADD VALUE 'prepaid_credit';

-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "prepaidCreditCents" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Wallet" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "status" "WalletStatus" NOT NULL DEFAULT 'active',
    "name" TEXT,
    "code" TEXT,
    "priority" INTEGER NOT NULL DEFAULT 50,
    "currency" CHAR(3) NOT NULL,
    "rateAmount" DECIMAL(30,15) NOT NULL,
    "balanceCents" BIGINT NOT NULL DEFAULT 0,
    "consumedCents" BIGINT NOT NULL DEFAULT 0,
    "pendingCents" BIGINT NOT NULL DEFAULT 0,
    "invoiceRequiresSuccessfulPayment" BOOLEAN NOT NULL DEFAULT true,
    "expirationAt" TIMESTAMPTZ(3),
    "terminatedAt" TIMESTAMPTZ(3),
    "depletedAlertedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Wallet_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WalletTransaction" (
    "id" UUID NOT NULL,
    "walletId" UUID NOT NULL,
    "transactionType" "WalletTransactionType" NOT NULL,
    "kind" "WalletTransactionKind" NOT NULL,
    "status" "WalletTransactionStatus" NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "creditAmount" DECIMAL(30,5) NOT NULL,
    "name" TEXT,
    "invoiceId" UUID,
    "settledAt" TIMESTAMPTZ(3),
    "failedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WalletTransaction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Wallet_customerId_status_idx" ON "Wallet"("customerId", "status");

-- CreateIndex
CREATE INDEX "Wallet_serviceId_idx" ON "Wallet"("serviceId");

-- CreateIndex
CREATE INDEX "Wallet_status_expirationAt_idx" ON "Wallet"("status", "expirationAt");

-- CreateIndex
CREATE INDEX "WalletTransaction_walletId_createdAt_idx" ON "WalletTransaction"("walletId", "createdAt");

-- CreateIndex
CREATE INDEX "WalletTransaction_invoiceId_idx" ON "WalletTransaction"("invoiceId");

-- AddForeignKey
ALTER TABLE "Wallet" ADD CONSTRAINT "Wallet_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Wallet" ADD CONSTRAINT "Wallet_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WalletTransaction" ADD CONSTRAINT "WalletTransaction_walletId_fkey" FOREIGN KEY ("walletId") REFERENCES "Wallet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WalletTransaction" ADD CONSTRAINT "WalletTransaction_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A wallet's balances never go below zero (consumption and voids take at most what is there).
ALTER TABLE "Wallet" ADD CONSTRAINT "Wallet_balances_not_negative" CHECK ("balanceCents" >= 0 AND "consumedCents" >= 0 AND "pendingCents" >= 0);

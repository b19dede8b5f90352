-- CreateEnum
CREATE TYPE "InvoicePaymentStatus" AS ENUM ('pending', 'succeeded', 'failed');

-- CreateEnum
CREATE TYPE "DunningStatus" AS ENUM ('active', 'recovered', 'suspended', 'canceled');

-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "paymentStatus" "InvoicePaymentStatus" NOT NULL DEFAULT 'pending';

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "attempt" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "providerPaymentMethodId" TEXT,
ADD COLUMN     "trigger" TEXT NOT NULL DEFAULT 'automatic';

-- CreateTable
CREATE TABLE "PaymentMethod" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "provider" TEXT NOT NULL DEFAULT 'stripe',
    "providerPaymentMethodId" TEXT NOT NULL,
    "brand" TEXT,
    "last4" VARCHAR(4),
    "expMonth" INTEGER,
    "expYear" INTEGER,
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PaymentMethod_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Refund" (
    "id" UUID NOT NULL,
    "paymentId" UUID NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "providerRefundId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'succeeded',
    "reason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StripeEvent" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StripeEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DunningCampaign" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "retryDays" INTEGER[],
    "suspendAfterDays" INTEGER NOT NULL,
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "DunningCampaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DunningProcess" (
    "id" UUID NOT NULL,
    "invoiceId" UUID NOT NULL,
    "campaignId" UUID NOT NULL,
    "status" "DunningStatus" NOT NULL DEFAULT 'active',
    "step" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "nextActionAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "DunningProcess_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EmailMessage" (
    "id" UUID NOT NULL,
    "customerId" UUID,
    "toAddress" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "relatedId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'sent',
    "error" TEXT,
    "providerMessageId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EmailMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VerificationToken" (
    "identifier" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expires" TIMESTAMPTZ(3) NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "PaymentMethod_providerPaymentMethodId_key" ON "PaymentMethod"("providerPaymentMethodId");

-- CreateIndex
CREATE INDEX "PaymentMethod_customerId_idx" ON "PaymentMethod"("customerId");

-- CreateIndex
CREATE UNIQUE INDEX "Refund_providerRefundId_key" ON "Refund"("providerRefundId");

-- CreateIndex
CREATE INDEX "Refund_paymentId_idx" ON "Refund"("paymentId");

-- CreateIndex
CREATE UNIQUE INDEX "DunningProcess_invoiceId_key" ON "DunningProcess"("invoiceId");

-- CreateIndex
CREATE INDEX "DunningProcess_status_nextActionAt_idx" ON "DunningProcess"("status", "nextActionAt");

-- CreateIndex
CREATE INDEX "EmailMessage_customerId_createdAt_idx" ON "EmailMessage"("customerId", "createdAt");

-- CreateIndex
CREATE INDEX "EmailMessage_kind_relatedId_idx" ON "EmailMessage"("kind", "relatedId");

-- CreateIndex
CREATE UNIQUE INDEX "VerificationToken_token_key" ON "VerificationToken"("token");

-- CreateIndex
CREATE UNIQUE INDEX "VerificationToken_identifier_token_key" ON "VerificationToken"("identifier", "token");

-- AddForeignKey
ALTER TABLE "PaymentMethod" ADD CONSTRAINT "PaymentMethod_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DunningProcess" ADD CONSTRAINT "DunningProcess_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DunningProcess" ADD CONSTRAINT "DunningProcess_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "DunningCampaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- At most one default card per customer, and one default dunning campaign.
CREATE UNIQUE INDEX "PaymentMethod_customer_default_key" ON "PaymentMethod"("customerId") WHERE "isDefault";
CREATE UNIQUE INDEX "DunningCampaign_default_key" ON "DunningCampaign"("isDefault") WHERE "isDefault";

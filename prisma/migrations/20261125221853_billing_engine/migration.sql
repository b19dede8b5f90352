-- CreateEnum
CREATE TYPE "BillingRunStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed');

-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "nextBillingAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "sources" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "taxNote" TEXT;

-- AlterTable
ALTER TABLE "CreditNote" ADD COLUMN     "balanceCents" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "CreditApplication" (
    "id" UUID NOT NULL,
    "invoiceId" UUID NOT NULL,
    "creditNoteId" UUID NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CreditApplication_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DocumentSequence" (
    "series" TEXT NOT NULL,
    "nextValue" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "DocumentSequence_pkey" PRIMARY KEY ("series")
);

-- CreateTable
CREATE TABLE "CompanyProfile" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "legalName" TEXT NOT NULL,
    "addressLine1" TEXT,
    "addressLine2" TEXT,
    "city" TEXT,
    "province" TEXT,
    "postalCode" TEXT,
    "country" TEXT NOT NULL DEFAULT 'CA',
    "email" TEXT,
    "gstHstNumber" TEXT,
    "qstNumber" TEXT,
    "bcPstNumber" TEXT,
    "mbRstNumber" TEXT,
    "skPstNumber" TEXT,
    "invoiceGracePeriodDays" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CompanyProfile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BillingRun" (
    "id" UUID NOT NULL,
    "status" "BillingRunStatus" NOT NULL DEFAULT 'queued',
    "trigger" TEXT NOT NULL DEFAULT 'schedule',
    "requestedById" UUID,
    "billingUpTo" TIMESTAMPTZ(3) NOT NULL,
    "subscriptionsDue" INTEGER NOT NULL DEFAULT 0,
    "subscriptionsBilled" INTEGER NOT NULL DEFAULT 0,
    "invoicesCreated" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "BillingRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CreditApplication_invoiceId_idx" ON "CreditApplication"("invoiceId");

-- CreateIndex
CREATE INDEX "CreditApplication_creditNoteId_idx" ON "CreditApplication"("creditNoteId");

-- CreateIndex
CREATE INDEX "Subscription_nextBillingAt_idx" ON "Subscription"("nextBillingAt");

-- AddForeignKey
ALTER TABLE "CreditApplication" ADD CONSTRAINT "CreditApplication_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CreditApplication" ADD CONSTRAINT "CreditApplication_creditNoteId_fkey" FOREIGN KEY ("creditNoteId") REFERENCES "CreditNote"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

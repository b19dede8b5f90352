-- AlterTable
ALTER TABLE "CompanyProfile" ADD COLUMN     "overdueReminderDays" INTEGER[] DEFAULT ARRAY[1, 7, 14, 30]::INTEGER[];

-- CreateTable
CREATE TABLE "InvoiceNotice" (
    "id" UUID NOT NULL,
    "invoiceId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "step" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "sentAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InvoiceNotice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InvoiceNotice_status_nextAttemptAt_idx" ON "InvoiceNotice"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceNotice_invoiceId_kind_step_key" ON "InvoiceNotice"("invoiceId", "kind", "step");

-- AddForeignKey
ALTER TABLE "InvoiceNotice" ADD CONSTRAINT "InvoiceNotice_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

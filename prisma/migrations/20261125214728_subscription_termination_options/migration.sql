-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "onTerminationCreditNote" TEXT NOT NULL DEFAULT 'credit',
ADD COLUMN     "onTerminationInvoice" TEXT NOT NULL DEFAULT 'generate';

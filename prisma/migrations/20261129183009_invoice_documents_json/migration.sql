-- The invoice's documents and its lines' pricing details become json (kept as sent) instead of jsonb (converted on
-- every write): written once and read whole; SQL that groups by a part of a line's details casts it to jsonb. The period
-- close writes one of each per invoice. This rewrites both tables once (the type changes), under their exclusive lock.

-- Progressive-billing invoices of a period are found through a partial index (created last, after the rewrite): the
-- subscription invoices of a close, the bulk of the table, are not in it; the index it replaces took one entry per invoice.
DROP INDEX "Invoice_invoiceType_periodStart_idx";

-- AlterTable
ALTER TABLE "Invoice" ALTER COLUMN "sources" SET DATA TYPE JSON,
ALTER COLUMN "billedTo" SET DATA TYPE JSON,
ALTER COLUMN "seller" SET DATA TYPE JSON;

-- AlterTable
ALTER TABLE "InvoiceLine" ALTER COLUMN "details" SET DATA TYPE JSON;

CREATE INDEX "Invoice_progressive_periodStart_idx" ON "Invoice"("periodStart") WHERE "invoiceType" = 'progressive_billing';

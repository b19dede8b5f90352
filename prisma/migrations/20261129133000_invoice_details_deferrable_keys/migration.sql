-- The period close writes a chunk's invoice lines, taxes and usage windows before the invoices themselves, so that
-- only the invoices are written while the chunk holds the invoice number series (lib/invoicing/billing-run.ts). These
-- keys to "Invoice" stay checked at once (INITIALLY IMMEDIATE) unless a transaction asks with SET CONSTRAINTS …
-- DEFERRED; then they are checked at its commit.
ALTER TABLE "InvoiceLine" ALTER CONSTRAINT "InvoiceLine_invoiceId_fkey" DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE "InvoiceTax" ALTER CONSTRAINT "InvoiceTax_invoiceId_fkey" DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE "InvoiceUsageWindow" ALTER CONSTRAINT "InvoiceUsageWindow_invoiceId_fkey" DEFERRABLE INITIALLY IMMEDIATE;

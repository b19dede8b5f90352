-- The period close queues its invoices' invoice-issued e-mails before writing the invoices, so that the part of a
-- chunk written while it holds the invoice number series is only the invoices and their audit entries
-- (lib/invoicing/billing-run.ts). As for the invoices' details (20261129133000), the key stays checked at once
-- (INITIALLY IMMEDIATE) unless a transaction asks with SET CONSTRAINTS … DEFERRED; then it is checked at its commit.
ALTER TABLE "InvoiceNotice" ALTER CONSTRAINT "InvoiceNotice_invoiceId_fkey" DEFERRABLE INITIALLY IMMEDIATE;

import type { Invoice, Prisma } from "@/lib/generated/prisma/client";
import { issueInvoice, type IssueOptions } from "./issue-invoice";

/**
 * Finalises a draft: see `issueInvoices` (lib/invoicing/issue-invoice.ts), the one owner of issuing. Kept under this
 * name for the callers that speak of finalising (Lago's `PUT /invoices/:id/finalize`, the console).
 */
export function finalizeInvoice(tx: Prisma.TransactionClient, invoiceId: string, now = new Date(), options: IssueOptions = {}): Promise<Invoice> {
  return issueInvoice(tx, invoiceId, now, options);
}

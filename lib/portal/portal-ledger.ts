import { invoiceCouponsInclude } from "@/lib/api/serializers/invoice";
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { fetchTablePage, type TableQuery } from "@/lib/console/table-query";
import { isUuid } from "@/lib/invoicing/service-invoices";
import { amountDueCents } from "@/lib/payments/chargeability";
import { containsInsensitive } from "@/lib/db/text-match";

/**
 * What a signed-in customer may see of the ledger: only their own documents, and never drafts or shadow (dual-run)
 * invoices. Every lookup takes the customer id from the session, so another customer's id simply is not found.
 */
const visibleInvoices = (customerId: string): Prisma.InvoiceWhereInput => ({ customerId, shadow: false, status: { not: "draft" } });

export const PORTAL_INVOICE_SORTS = ["issuingDate", "number", "totalCents", "status"] as const;
export type PortalInvoiceSort = (typeof PORTAL_INVOICE_SORTS)[number];

export interface PortalInvoiceRow {
  id: string;
  number: string;
  serviceName: string;
  issuingDate: string | null;
  paymentDueDate: string | null;
  status: string;
  paymentStatus: string;
  currency: string;
  totalCents: string;
  amountDueCents: string;
}

export async function listPortalInvoices(client: Db, customerId: string, query: TableQuery<PortalInvoiceSort>) {
  const where: Prisma.InvoiceWhereInput = {
    ...visibleInvoices(customerId),
    ...(query.filter ? { OR: [{ number: containsInsensitive(query.filter) }, { service: { name: containsInsensitive(query.filter) } }] } : {}),
  };
  const direction = query.desc ? "desc" : "asc";
  return fetchTablePage<PortalInvoiceRow>(
    query,
    () => client.invoice.count({ where }),
    async (window) => {
      const rows = await client.invoice.findMany({ where, include: { service: true }, orderBy: [{ [query.sort]: direction }, { id: "asc" }], ...window });
      return rows.map((i) => ({
        id: i.id,
        number: i.number ?? "",
        serviceName: i.service.name,
        issuingDate: i.issuingDate?.toISOString().slice(0, 10) ?? null,
        paymentDueDate: i.paymentDueDate?.toISOString().slice(0, 10) ?? null,
        status: i.status,
        paymentStatus: i.paymentStatus,
        currency: i.currency,
        totalCents: i.totalCents.toString(),
        amountDueCents: amountDueCents(i).toString(),
      }));
    },
  );
}

/** One of the customer's invoices with what the page shows; null for anything else (the page answers 404). */
export async function getPortalInvoice(client: Db, customerId: string, invoiceId: string) {
  if (!isUuid(invoiceId)) return null;
  return client.invoice.findFirst({
    where: { id: invoiceId, ...visibleInvoices(customerId) },
    include: {
      service: true,
      customer: true,
      lines: { orderBy: { position: "asc" } },
      taxes: { orderBy: { code: "asc" } },
      coupons: invoiceCouponsInclude,
      payments: { orderBy: { createdAt: "desc" } },
      creditNotes: { where: { status: "issued" }, orderBy: { createdAt: "asc" } },
      dunning: true,
    },
  });
}

export async function listPortalCreditNotes(client: Db, customerId: string) {
  return client.creditNote.findMany({
    where: { customerId, status: "issued", invoice: { shadow: false } },
    include: { invoice: { select: { number: true } } },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
}

/** Open amounts across the customer's invoices, per currency. */
export async function portalBalance(client: Db, customerId: string) {
  const open = await client.invoice.findMany({ where: { ...visibleInvoices(customerId), status: "finalized" }, select: { status: true, currency: true, totalCents: true, creditsAppliedCents: true, amountPaidCents: true } });
  const byCurrency = new Map<string, bigint>();
  for (const i of open) {
    const due = amountDueCents(i);
    if (due > BigInt(0)) byCurrency.set(i.currency, (byCurrency.get(i.currency) ?? BigInt(0)) + due);
  }
  return { openInvoices: open.length, dueByCurrency: [...byCurrency.entries()] };
}

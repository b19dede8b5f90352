import type { Metadata } from "next";
import { INVOICE_SORTS, INVOICE_STATUSES, listInvoices } from "@/lib/console/invoices";
import { parseTableQuery, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import type { InvoiceStatus } from "@/lib/generated/prisma/client";
import { InvoicesTable } from "@/components/console/invoices-table";
import { BillingRunPanel } from "@/components/console/billing-run-panel";
import { BillingQuarantineTable } from "@/components/console/billing-quarantine-table";
import { formatDateTime } from "@/lib/format";
import { listQuarantine } from "@/lib/invoicing/billing-quarantine";
import { releaseQuarantineAction } from "./actions";

export const metadata: Metadata = { title: "Invoices" };
export const dynamic = "force-dynamic";

export default async function InvoicesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const query = parseTableQuery(params, "i_", { sortable: INVOICE_SORTS, defaultSort: "createdAt", defaultDesc: true, defaultPerPage: 25 });
  const rawStatus = typeof params.status === "string" ? params.status : null;
  const status = (INVOICE_STATUSES as readonly string[]).includes(rawStatus ?? "") ? (rawStatus as InvoiceStatus) : null;
  const [invoices, latest, quarantined] = await Promise.all([
    listInvoices(db(), query, status), db().billingRun.findFirst({ orderBy: { createdAt: "desc" } }), listQuarantine(db()),
  ]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Invoices</h1>
        <p className="mt-1 text-sm text-slate-600">One invoice per service, customer and billing period. Shadow invoices are dual-run copies, never sent.</p>
      </div>
      <BillingRunPanel
        latest={latest ? { ...latest, createdAt: latest.createdAt.toISOString(), errors: (latest.errors as BillingRunErrors) ?? [] } : null}
      />
      {quarantined.length ? (
        <div className="space-y-2">
          <h2 className="text-lg font-semibold">Quarantined billing groups</h2>
          <p className="text-sm text-slate-600">
            These could not be billed and are set aside so that everyone else&apos;s billing goes on. Fix the data, then release them.
          </p>
          <BillingQuarantineTable rows={quarantined.map((q) => ({
            id: q.id,
            customerId: q.customerId,
            customerName: q.customerName,
            serviceName: q.serviceName,
            boundary: formatDateTime(q.boundary),
            reason: q.reason,
            fix: q.fix,
            attempts: q.attempts,
            lastSeen: formatDateTime(q.lastSeenAt),
            releaseAction: releaseQuarantineAction.bind(null, q.id),
          }))} />
        </div>
      ) : null}
      <InvoicesTable rows={invoices.rows} status={status} state={{ ...query, page: invoices.page, pageCount: invoices.pageCount, total: invoices.total }} />
    </div>
  );
}

type BillingRunErrors = { error?: string; code?: string; customerId?: string }[];

import type { Metadata } from "next";
import { parseTableQuery, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { listPortalInvoices, PORTAL_INVOICE_SORTS } from "@/lib/portal/portal-ledger";
import { requirePortalCustomer } from "@/lib/portal/portal-session";
import { PortalInvoicesTable } from "@/components/portal/portal-invoices-table";

export const metadata: Metadata = { title: "Invoices · Customer portal" };
export const dynamic = "force-dynamic";

export default async function PortalInvoices({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const session = await requirePortalCustomer();
  const query = parseTableQuery(await searchParams, "", { sortable: PORTAL_INVOICE_SORTS, defaultSort: "issuingDate", defaultDesc: true, defaultPerPage: 25 });
  const page = await listPortalInvoices(db(), session.customerId, query);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Invoices</h1>
      <PortalInvoicesTable rows={page.rows} state={{ ...query, page: page.page, pageCount: page.pageCount, total: page.total }} />
    </div>
  );
}

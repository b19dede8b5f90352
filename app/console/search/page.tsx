import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { searchConsole } from "@/lib/console/global-search";
import type { SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import { PageHeader, PageSection } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Search" };
export const dynamic = "force-dynamic";

export default async function SearchPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const raw = (await searchParams).q;
  const q = (Array.isArray(raw) ? raw[0] : raw ?? "").trim();
  let hits;
  try {
    hits = await searchConsole(db(), q);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return <div className="space-y-4"><PageHeader title="Search" /><p role="alert" className="text-red-700">{error.message}</p></div>;
  }
  // One exact answer (an invoice number, a unique account id) opens it directly.
  if (hits.customers.length + hits.invoices.length === 1) {
    redirect(hits.invoices.length ? `/console/invoices/${hits.invoices[0].id}` : `/console/customers/${hits.customers[0].id}`);
  }
  return (
    <div className="space-y-8">
      <PageHeader title="Search" description={q.length < 2 ? "Type at least two characters in the search box above." : <>Results for “{q}”: customers by name, e-mail or account id, invoices by number.</>} />
      <PageSection title="Customers">
        <SimpleDataTable label="Customers found" columns={[{ key: "name", header: "Customer", link: true }, { key: "email", header: "E-mail" }, { key: "accounts", header: "Accounts" }]}
          rows={hits.customers.map((c) => ({ name: c.legalName, nameHref: `/console/customers/${c.id}`, email: c.email ?? "—", accounts: c.accounts.join(", ") || "—" }))}
          empty="No customer matches." />
      </PageSection>
      <PageSection title="Invoices">
        <SimpleDataTable label="Invoices found" columns={[{ key: "number", header: "Invoice", link: true }, { key: "customer", header: "Customer" }, { key: "status", header: "Status" }, { key: "total", header: "Total", align: "right" }]}
          rows={hits.invoices.map((i) => ({ number: i.number, numberHref: `/console/invoices/${i.id}`, customer: i.customer, status: i.status, total: formatMoney(i.totalCents, i.currency) }))}
          empty="No invoice matches." />
      </PageSection>
    </div>
  );
}

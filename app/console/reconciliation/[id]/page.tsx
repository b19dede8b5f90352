import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db/prisma";
import { formatDateTime, formatMoney } from "@/lib/format";
import { isUuid } from "@/lib/invoicing/service-invoices";
import type { ReconciliationDetails } from "@/lib/nexacloud/reconciliation";
import { PageHeader, PageSection } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Reconciliation row" };
export const dynamic = "force-dynamic";

const money = (cents: bigint | string | null) => (cents === null ? "—" : formatMoney(BigInt(cents)));

export default async function ReconciliationRowPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const row = await db().reconciliation.findUnique({ where: { id }, include: { customer: { include: { accountLinks: true } }, service: true } });
  if (!row) notFound();
  const details = row.details as unknown as Partial<ReconciliationDetails>;
  const userId = row.customer.accountLinks.find((l) => l.serviceId === row.serviceId)?.externalId;
  return (
    <div className="space-y-6">
      <PageHeader back={{ href: `/console/reconciliation?period=${row.period}`, label: "Reconciliation" }} title={`${row.customer.legalName} · ${row.period}`}
        description={<>
          <span data-testid="reconciliation-status">{row.status}</span> · Nexa Billing {money(row.computedCents)} · NexaCloud {money(row.externalCents)} · delta {money(row.deltaCents)}
          {" "}· {row.service.name}{userId ? `, NexaCloud user ${userId}` : ""} · computed {formatDateTime(row.computedAt)}
        </>}>
        <Link href={`/console/customers/${row.customerId}`} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-white">Customer</Link>
      </PageHeader>
      {row.note ? <p role={row.status === "error" ? "alert" : "note"} className={`rounded-md px-3 py-2 text-sm ${row.status === "error" ? "bg-red-50 text-red-800" : "bg-slate-100 text-slate-700"}`}>{row.note}</p> : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <PageSection title="Nexa Billing (computed)">
          <SimpleDataTable label="Computed lines" columns={[{ key: "description", header: "Line" }, { key: "detail", header: "Detail" }, { key: "amount", header: "Amount", align: "right" }]}
            rows={(details.computed ?? []).map((l) => ({ description: `${l.description} (subscription ${l.externalSubscriptionId})`, detail: l.detail ?? null, amount: money(l.amountCents) }))}
            empty="Nothing computed." />
        </PageSection>
        <PageSection title="NexaCloud (invoiced)">
          <SimpleDataTable label="NexaCloud invoice items" columns={[{ key: "description", header: "Item" }, { key: "invoice", header: "Invoice" }, { key: "amount", header: "Subtotal", align: "right" }]}
            rows={(details.external ?? []).map((i) => ({ description: i.description, invoice: i.invoiceId, amount: money(i.subtotalCents) }))}
            empty="No invoice item." />
        </PageSection>
      </div>
    </div>
  );
}

import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { uuid } from "@/lib/console/forms/form-schemas";
import { findReceipt, OFFLINE_METHOD_LABEL } from "@/lib/console/payment-receipts";
import { db } from "@/lib/db/prisma";
import { formatDateTime, formatMoney } from "@/lib/format";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { ReversePaymentForm } from "@/components/console/offline-payment-forms";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";
import { reverseOfflinePaymentAction } from "../actions";

export const metadata: Metadata = { title: "Payment received" };
export const dynamic = "force-dynamic";

export default async function ReceiptPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const staff = await requireStaffPage(`/console/payments/${encodeURIComponent(id)}`);
  if (!uuid.safeParse(id).success) notFound();
  const receipt = await findReceipt(db(), id);
  if (!receipt) notFound();
  const label = `${OFFLINE_METHOD_LABEL[receipt.method]} ${receipt.reference}`;
  return (
    <div className="space-y-8">
      <PageHeader title={label} back={{ href: "/console/payments", label: "Payments received" }}
        description={<>
          {formatMoney(receipt.amountCents, receipt.currency)} from {receipt.customer.legalName}, received {receipt.receivedOn.toISOString().slice(0, 10)} ·
          recorded {formatDateTime(receipt.createdAt)}
          {receipt.reversedAt ? <> · <strong>reversed</strong> {formatDateTime(receipt.reversedAt)}: {receipt.reversalReason}</> : <> · {formatMoney(receipt.unappliedCents, receipt.currency)} left as credit</>}
        </>} />
      <PageSection title="Applied to">
        <SimpleDataTable label="Applied to" empty="Not applied to any invoice: all of it is credit."
          columns={[{ key: "invoice", header: "Invoice", link: true }, { key: "amount", header: "Amount", align: "right" }, { key: "status", header: "Payment" }, { key: "on", header: "Applied" }]}
          rows={receipt.payments.map((p) => ({
            invoice: p.invoice?.number ?? "—",
            invoiceHref: p.invoice ? `/console/invoices/${p.invoice.id}` : null,
            amount: formatMoney(p.amountCents, p.currency),
            status: p.status === "canceled" ? "Reversed" : p.status,
            on: formatDateTime(p.createdAt),
          }))} />
      </PageSection>
      {receipt.note ? <PageSection title="Note"><Panel><p className="text-sm">{receipt.note}</p></Panel></PageSection> : null}
      {!receipt.reversedAt && staff.role !== "viewer" ? (
        <PageSection title="Reverse" description="A returned cheque, a recalled wire or an entry made in error: every invoice it paid is due again and chased by dunning, its unused credit is removed.">
          <Panel><ReversePaymentForm action={reverseOfflinePaymentAction.bind(null, receipt.id)} /></Panel>
        </PageSection>
      ) : null}
    </div>
  );
}

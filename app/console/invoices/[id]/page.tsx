import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db/prisma";
import { documentLink } from "@/lib/documents/document-links";
import { stripe } from "@/lib/payments/stripe-client";
import { isUuid } from "@/lib/invoicing/service-invoices";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { InvoiceActions } from "@/components/console/invoice-actions";
import { InvoiceLinesTable } from "@/components/invoices/invoice-lines-table";
import { invoiceCouponsInclude } from "@/lib/api/serializers/invoice";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";
import { CREDIT_BALANCE_TRIGGER, creditBalanceAppliedCents } from "@/lib/collections/credit-balance";
import { noticeLabel } from "@/lib/collections/invoice-notices";

export const metadata: Metadata = { title: "Invoice" };
export const dynamic = "force-dynamic";

export default async function InvoicePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const invoice = await db().invoice.findUnique({
    where: { id },
    include: { customer: true, service: true, lines: { orderBy: { position: "asc" } }, taxes: { orderBy: { code: "asc" } }, creditNotes: { orderBy: { createdAt: "asc" } },
      payments: { orderBy: { createdAt: "asc" }, include: { refunds: true } }, dunning: true, notices: { orderBy: [{ createdAt: "asc" }, { step: "asc" }] }, coupons: invoiceCouponsInclude },
  });
  if (!invoice) notFound();
  const tz = invoice.customer.timezone;
  const money = (cents: bigint) => formatMoney(cents, invoice.currency);
  return (
    <div className="space-y-6">
      <Link href="/console/invoices" className="text-sm text-sky-700 hover:underline">← Invoices</Link>
      <div className="flex items-start justify-between gap-6">
        <div>
          <h1 className="text-2xl font-semibold">{invoice.number ?? "Draft invoice"}</h1>
          <p className="mt-1 text-sm text-slate-600">
            <span data-testid="invoice-status">{invoice.status}</span>
            {invoice.shadow ? " · shadow (dual-run copy, never sent)" : ""} · {invoice.service.name} · {invoice.customer.legalName} ·{" "}
            {formatDate(invoice.periodStart, tz)} – {formatDate(new Date(invoice.periodEnd.getTime() - 1), tz)}
          </p>
          {invoice.finalizedAt ? <p className="text-sm text-slate-500">Finalized {formatDateTime(invoice.finalizedAt, tz)}</p> : null}
        </div>
        {invoice.status !== "draft" ? (
          <a href={documentLink("", "invoices", invoice.id)} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-white">Download PDF</a>
        ) : null}
      </div>

      <InvoiceLinesTable invoice={invoice} creditBalanceAppliedCents={creditBalanceAppliedCents(invoice.payments)}
        coupons={invoice.coupons.map((c) => ({ id: c.id, name: `Coupon ${c.appliedCoupon.coupon.name} (${c.appliedCoupon.coupon.code})`, amountCents: c.amountCents }))} />

      {invoice.payments.length || invoice.dunning ? (
        <section>
          <h2 className="text-lg font-semibold">Payments</h2>
          {invoice.dunning ? (
            <p className="mt-1 text-sm text-slate-600" data-testid="dunning-status">
              Dunning {invoice.dunning.status} · {invoice.dunning.step} retries done
              {invoice.dunning.nextActionAt ? ` · next step ${formatDateTime(invoice.dunning.nextActionAt, tz)}` : ""}
            </p>
          ) : null}
          <div className="mt-2">
            <SimpleDataTable
              label="Payment attempts"
              columns={[
                { key: "attempt", header: "Attempt" }, { key: "when", header: "When" }, { key: "trigger", header: "Trigger" }, { key: "status", header: "Status" },
                { key: "stripe", header: "Stripe / offline", link: true }, { key: "amount", header: "Amount", align: "right" }, { key: "refunded", header: "Refunded", align: "right" },
              ]}
              rows={invoice.payments.map((p) => ({
                attempt: String(p.attempt),
                when: formatDateTime(p.createdAt, tz),
                trigger: p.trigger === CREDIT_BALANCE_TRIGGER ? "credit applied" : p.trigger,
                status: `${p.status}${p.failureCode ? ` (${p.failureCode})` : ""}`,
                stripe: p.receiptId ? `${p.provider} (payment received)` : p.providerPaymentId ?? "—",
                stripeHref: p.receiptId ? `/console/payments/${p.receiptId}` : null,
                amount: formatMoney(p.amountCents, p.currency),
                refunded: p.refundedCents > BigInt(0) ? formatMoney(p.refundedCents, p.currency) : "—",
              }))}
              empty="No payment attempt yet."
            />
          </div>
        </section>
      ) : null}

      {invoice.notices.length ? (
        <section>
          <h2 className="text-lg font-semibold">Customer notices</h2>
          <div className="mt-2">
            <SimpleDataTable
              label="Customer notices"
              columns={[{ key: "what", header: "Notice" }, { key: "status", header: "Status" }, { key: "when", header: "When" }, { key: "error", header: "Last error" }]}
              rows={invoice.notices.map((n) => ({
                what: noticeLabel(n),
                status: n.status,
                when: formatDateTime(n.sentAt ?? n.createdAt, tz),
                error: n.lastError ?? "—",
              }))}
              empty="Nothing sent yet."
            />
          </div>
        </section>
      ) : null}

      {invoice.creditNotes.length ? (
        <section>
          <h2 className="text-lg font-semibold">Credit notes</h2>
          <ul className="mt-2 space-y-1 text-sm">
            {invoice.creditNotes.map((n) => (
              <li key={n.id}>{n.number} · {n.kind} · {n.reason.replace(/_/g, " ")} · {money(n.totalCents)}</li>
            ))}
          </ul>
        </section>
      ) : null}

      <InvoiceActions
        invoiceId={invoice.id}
        status={invoice.status}
        shadow={invoice.shadow}
        cardPayments={stripe() !== null}
        lines={invoice.lines.map((l) => ({ id: l.id, description: l.description }))}
      />
    </div>
  );
}

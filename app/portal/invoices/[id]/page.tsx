import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db/prisma";
import { documentLink } from "@/lib/documents/document-links";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { amountDueCents, cardChargeMinimum, CARD_CHARGE_MAXIMUM_MINOR } from "@/lib/payments/chargeability";
import { OFFLINE_METHOD_LABEL } from "@/lib/offline-payments/offline-payments";
import { getPortalInvoice } from "@/lib/portal/portal-ledger";
import { requirePortalCustomer } from "@/lib/portal/portal-session";
import { payInvoice } from "@/app/portal/actions";
import { InvoiceLinesTable } from "@/components/invoices/invoice-lines-table";
import { PortalActionButton } from "@/components/portal/portal-action-button";
import { INVOICE_STATUS_LABEL } from "@/lib/portal/invoice-status";
import { CREDIT_BALANCE_TRIGGER, creditBalanceAppliedCents } from "@/lib/collections/credit-balance";

export const metadata: Metadata = { title: "Invoice · Customer portal" };
export const dynamic = "force-dynamic";

const PAYMENT_STATUS: Record<string, string> = { succeeded: "Paid", failed: "Declined", processing: "Processing", pending: "Pending", refunded: "Refunded", canceled: "Cancelled" };

export default async function PortalInvoice({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ payment?: string }> }) {
  const { id } = await params;
  const session = await requirePortalCustomer({ invoiceId: id });
  const paymentOutcome = (await searchParams).payment;
  const justPaid = paymentOutcome === "received";
  const invoice = await getPortalInvoice(db(), session.customerId, id);
  if (!invoice) notFound();
  const tz = invoice.customer.timezone;
  const due = amountDueCents(invoice);
  const card = await db().paymentMethod.findFirst({ where: { customerId: session.customerId, isDefault: true } });
  const status = INVOICE_STATUS_LABEL[invoice.status] ?? { label: invoice.status, style: "" };
  return (
    <div className="space-y-6">
      <Link href="/portal/invoices" className="text-sm text-sky-700 hover:underline">← Invoices</Link>
      <div className="flex flex-wrap items-start justify-between gap-6">
        <div>
          <h1 className="text-2xl font-semibold">Invoice {invoice.number}</h1>
          <p className="mt-1 text-sm text-slate-600">
            <span data-testid="invoice-status" className={`rounded-full px-2 py-0.5 text-xs ${status.style}`}>{status.label}</span> · {invoice.service.name} ·{" "}
            {formatDate(invoice.periodStart, tz)} – {formatDate(new Date(invoice.periodEnd.getTime() - 1), tz)}
          </p>
          {invoice.issuingDate ? <p className="text-sm text-slate-500">Issued {formatDate(invoice.issuingDate, "UTC")}{invoice.paymentDueDate ? ` · due ${formatDate(invoice.paymentDueDate, "UTC")}` : ""}</p> : null}
        </div>
        <a href={documentLink("", "invoices", invoice.id)} download className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">Download PDF</a>
      </div>

      {justPaid && invoice.status === "paid" ? <p role="status" className="rounded-md bg-emerald-50 px-4 py-2 text-emerald-800">Payment received. Thank you!</p> : null}
      {paymentOutcome === "not_completed" ? <p role="status" className="rounded-md bg-amber-50 px-4 py-2 text-amber-900">The payment was not completed and nothing was charged. You can try again.</p> : null}
      {paymentOutcome === "processing" && invoice.status !== "paid" ? <p role="status" className="rounded-md bg-slate-50 px-4 py-2 text-slate-800">Your payment is being processed.</p> : null}
      {invoice.status === "finalized" && due > BigInt(0) ? (
        <section className={`rounded-lg border p-4 ${invoice.paymentStatus === "failed" ? "border-rose-200 bg-rose-50" : "border-slate-200"}`}>
          <p className="font-medium">{formatMoney(due, invoice.currency)} due{invoice.paymentStatus === "failed" ? " — the last payment attempt was declined" : ""}</p>
          {invoice.payments[0]?.failureCode === "authentication_required" ? (
            <p className="mt-1 text-sm text-slate-700" data-testid="authentication-needed">Your bank asks you to confirm this payment: pay below and follow your bank&apos;s steps.</p>
          ) : null}
          {due < cardChargeMinimum(invoice.currency) || due > CARD_CHARGE_MAXIMUM_MINOR ? (
            <p className="mt-2 text-sm text-slate-600">This amount cannot be paid by card. We will contact you about settling it.</p>
          ) : card ? (
            <div className="mt-3">
              <PortalActionButton action={payInvoice.bind(null, invoice.id)} label={`Pay ${formatMoney(due, invoice.currency)} with ${card.brand ?? "card"} ending in ${card.last4}`} pendingLabel="Paying…" />
            </div>
          ) : (
            <p className="mt-2 text-sm text-slate-600">Add a card to pay: <Link href="/portal/payment-methods" className="text-sky-700 underline">Payment methods</Link></p>
          )}
        </section>
      ) : null}

      <InvoiceLinesTable invoice={invoice} creditBalanceAppliedCents={creditBalanceAppliedCents(invoice.payments)}
        coupons={invoice.coupons.map((c) => ({ id: c.id, name: `Coupon ${c.appliedCoupon.coupon.name}`, amountCents: c.amountCents }))} />

      {invoice.payments.length ? (
        <section>
          <h2 className="text-lg font-semibold">Payments</h2>
          <ul className="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200 text-sm">
            {invoice.payments.map((p) => (
              <li key={p.id} data-testid="payment-row" className="flex justify-between px-4 py-2">
                <span>{formatDateTime(p.createdAt, tz)} · {formatMoney(p.amountCents, p.currency)}{p.trigger === CREDIT_BALANCE_TRIGGER ? " · Credit applied" : p.provider in OFFLINE_METHOD_LABEL ? ` · ${OFFLINE_METHOD_LABEL[p.provider as keyof typeof OFFLINE_METHOD_LABEL]}` : ""}</span>
                <span className={p.status === "failed" ? "text-rose-700" : "text-slate-600"}>{p.failureCode === "reversed" ? "Reversed" : PAYMENT_STATUS[p.status] ?? p.status}{p.failureMessage && p.status === "failed" ? `: ${p.failureMessage}` : ""}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {invoice.creditNotes.length ? (
        <section>
          <h2 className="text-lg font-semibold">Credit notes</h2>
          <ul className="mt-2 space-y-1 text-sm">
            {invoice.creditNotes.map((n) => (
              <li key={n.id}>
                <a href={documentLink("", "credit_notes", n.id)} className="text-sky-700 underline">{n.number}</a> · {n.reason.replace(/_/g, " ")} · {formatMoney(n.totalCents, n.currency)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

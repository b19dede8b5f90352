import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db/prisma";
import { documentLink } from "@/lib/documents/document-links";
import { isUuid } from "@/lib/invoicing/service-invoices";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { InvoiceActions } from "@/components/console/invoice-actions";

export const metadata: Metadata = { title: "Invoice" };
export const dynamic = "force-dynamic";

export default async function InvoicePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const invoice = await db().invoice.findUnique({
    where: { id },
    include: { customer: true, service: true, lines: { orderBy: { position: "asc" } }, taxes: { orderBy: { code: "asc" } }, creditNotes: { orderBy: { createdAt: "asc" } } },
  });
  if (!invoice) notFound();
  const tz = invoice.customer.timezone;
  const money = (cents: bigint) => formatMoney(cents, invoice.currency);
  const due = invoice.status === "voided" ? BigInt(0) : invoice.totalCents - invoice.creditsAppliedCents - invoice.amountPaidCents;
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
          {invoice.finalizedAt ? <p className="text-sm text-slate-500">Finalised {formatDateTime(invoice.finalizedAt, tz)}</p> : null}
        </div>
        {invoice.status !== "draft" ? (
          <a href={documentLink("", "invoices", invoice.id)} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-white">Download PDF</a>
        ) : null}
      </div>

      <table className="min-w-full rounded-lg border border-slate-200 bg-white text-sm">
        <thead className="bg-slate-50 text-left text-xs uppercase text-slate-500">
          <tr><th className="px-4 py-2">Description</th><th className="px-4 py-2">Quantity</th><th className="px-4 py-2">Included</th><th className="px-4 py-2">Unit price</th><th className="px-4 py-2 text-right">Amount</th></tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {invoice.lines.map((line) => (
            <tr key={line.id}>
              <td className="px-4 py-2">{line.description}</td>
              <td className="px-4 py-2">{line.kind === "subscription_fee" ? "—" : line.quantity.toString()}</td>
              <td className="px-4 py-2">{line.includedQuantity.isZero() ? "—" : line.includedQuantity.toString()}</td>
              <td className="px-4 py-2">{line.unitAmount ? `$${line.unitAmount.toString()}` : "—"}</td>
              <td className="px-4 py-2 text-right">{money(line.amountCents)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot className="text-sm">
          <tr><td colSpan={4} className="px-4 py-1 text-right">Subtotal</td><td className="px-4 py-1 text-right">{money(invoice.subtotalCents)}</td></tr>
          {invoice.taxes.map((t) => (
            <tr key={t.id}><td colSpan={4} className="px-4 py-1 text-right">{t.name} {t.rate.toString()} %{t.registrationNumber ? ` (${t.registrationNumber})` : ""}</td><td className="px-4 py-1 text-right">{money(t.amountCents)}</td></tr>
          ))}
          {invoice.taxNote ? <tr><td colSpan={4} className="px-4 py-1 text-right text-slate-500">{invoice.taxNote}</td><td className="px-4 py-1 text-right">{money(BigInt(0))}</td></tr> : null}
          {invoice.creditsAppliedCents > BigInt(0) ? <tr><td colSpan={4} className="px-4 py-1 text-right">Credits applied</td><td className="px-4 py-1 text-right">−{money(invoice.creditsAppliedCents)}</td></tr> : null}
          <tr className="font-semibold"><td colSpan={4} className="px-4 py-2 text-right">Total</td><td className="px-4 py-2 text-right" data-testid="invoice-total">{money(invoice.totalCents)}</td></tr>
          <tr><td colSpan={4} className="px-4 py-1 text-right">Amount due</td><td className="px-4 py-1 text-right">{money(due)}</td></tr>
        </tfoot>
      </table>

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
        lines={invoice.lines.map((l) => ({ id: l.id, description: l.description }))}
      />
    </div>
  );
}

import type { Invoice, InvoiceLine, InvoiceTax } from "@/lib/generated/prisma/client";
import { formatPercent } from "@/lib/documents/money-format";
import { formatMoney } from "@/lib/format";
import { linesSubtotalCents } from "@/lib/invoicing/draft-invoices";
import { priceText, usagePricingLines } from "@/lib/invoicing/usage-pricing";
import { amountDueCents } from "@/lib/payments/chargeability";

/** An invoice's lines, taxes and totals, as staff and the customer both see them. */
export function InvoiceLinesTable({ invoice, creditBalanceAppliedCents = BigInt(0), coupons = [] }: {
  invoice: Invoice & { lines: InvoiceLine[]; taxes: InvoiceTax[] };
  /** The coupons the invoice used (lib/coupons/), by name; without them one "Coupons" row shows their sum. */
  coupons?: { id: string; name: string; amountCents: bigint }[];
  /** The part of the amount paid that is the customer's credit balance (lib/collections/credit-balance.ts). */
  creditBalanceAppliedCents?: bigint;
}) {
  const money = (cents: bigint) => formatMoney(cents, invoice.currency);
  const paidOtherwise = invoice.amountPaidCents - creditBalanceAppliedCents;
  return (
    // On a phone the table scrolls inside its own box (focusable, so a keyboard can scroll it) instead of widening the page.
    <div role="region" aria-label="Invoice lines" tabIndex={0} className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
    <table className="min-w-full text-sm">
      <thead className="bg-slate-50 text-left text-xs uppercase text-slate-500">
        <tr><th className="px-4 py-2">Description</th><th className="px-4 py-2">Quantity</th><th className="px-4 py-2">Included</th><th className="px-4 py-2">Unit price</th><th className="px-4 py-2 text-right">Amount</th></tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {invoice.lines.map((line) => (
          <tr key={line.id}>
            <td className="px-4 py-2">
              {line.description}
              {usagePricingLines(line).length ? (
                <ul aria-label={`How ${line.description} was priced`} className="mt-1 space-y-0.5 text-xs text-slate-600">
                  {usagePricingLines(line).map((text) => <li key={text}>{text}</li>)}
                </ul>
              ) : null}
            </td>
            <td className="px-4 py-2">{line.kind === "subscription_fee" ? "—" : line.quantity.toString()}</td>
            <td className="px-4 py-2">{line.includedQuantity.isZero() ? "—" : line.includedQuantity.toString()}</td>
            <td className="px-4 py-2">{line.unitAmount ? priceText(line.unitAmount.toString()) : "—"}</td>
            <td className="px-4 py-2 text-right">{money(line.amountCents)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot className="text-sm">
        <tr><td colSpan={4} className="px-4 py-1 text-right">Subtotal</td><td className="px-4 py-1 text-right">{money(linesSubtotalCents(invoice))}</td></tr>
        {invoice.progressiveBillingCreditCents > BigInt(0) ? (
          <tr><td colSpan={4} className="px-4 py-1 text-right">Usage already billed during the period (progressive billing)</td><td className="px-4 py-1 text-right" data-testid="invoice-progressive-credit">−{money(invoice.progressiveBillingCreditCents)}</td></tr>
        ) : null}
        {invoice.couponsCents > BigInt(0) ? (
          (coupons.length ? coupons : [{ id: "coupons", name: "Coupons", amountCents: invoice.couponsCents }]).map((c) => (
            <tr key={c.id}><td colSpan={4} className="px-4 py-1 text-right">{c.name}</td><td className="px-4 py-1 text-right" data-testid="invoice-coupon">−{money(c.amountCents)}</td></tr>
          ))
        ) : null}
        {invoice.taxes.map((t) => (
          <tr key={t.id}><td colSpan={4} className="px-4 py-1 text-right">{t.name} {formatPercent(t.rate.toString())}{t.registrationNumber ? ` (${t.registrationNumber})` : ""}</td><td className="px-4 py-1 text-right">{money(t.amountCents)}</td></tr>
        ))}
        {invoice.taxNote ? <tr><td colSpan={4} className="px-4 py-1 text-right text-slate-500">{invoice.taxNote}</td><td className="px-4 py-1 text-right">{money(BigInt(0))}</td></tr> : null}
        {invoice.creditsAppliedCents > BigInt(0) ? <tr><td colSpan={4} className="px-4 py-1 text-right">Credits applied</td><td className="px-4 py-1 text-right">−{money(invoice.creditsAppliedCents)}</td></tr> : null}
        <tr className="font-semibold"><td colSpan={4} className="px-4 py-2 text-right">Total</td><td className="px-4 py-2 text-right" data-testid="invoice-total">{money(invoice.totalCents)}</td></tr>
        {creditBalanceAppliedCents > BigInt(0) ? <tr><td colSpan={4} className="px-4 py-1 text-right">Credit applied</td><td className="px-4 py-1 text-right" data-testid="invoice-credit-applied">−{money(creditBalanceAppliedCents)}</td></tr> : null}
        {paidOtherwise > BigInt(0) ? <tr><td colSpan={4} className="px-4 py-1 text-right">Paid</td><td className="px-4 py-1 text-right">−{money(paidOtherwise)}</td></tr> : null}
        <tr><td colSpan={4} className="px-4 py-1 text-right">Amount due</td><td className="px-4 py-1 text-right" data-testid="invoice-amount-due">{money(amountDueCents(invoice))}</td></tr>
      </tfoot>
    </table>
    </div>
  );
}

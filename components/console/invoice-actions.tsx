"use client";

import { useActionState, useState, useTransition } from "react";
import { chargeInvoiceAction, creditInvoiceAction, finalizeInvoiceAction, refreshInvoiceAction, voidInvoiceAction, type ActionResult } from "@/app/console/invoices/actions";

const REASONS = ["duplicated_charge", "product_unsatisfactory", "order_change", "order_cancellation", "fraudulent_charge", "other"];

export function InvoiceActions({ invoiceId, status, shadow, lines, cardPayments }: {
  invoiceId: string;
  status: string;
  shadow: boolean;
  lines: { id: string; description: string }[];
  /** Stripe is configured: without it the page says card payments are off instead of offering a charge. */
  cardPayments: boolean;
}) {
  const [result, setResult] = useState<ActionResult | null>(null);
  const [pending, startTransition] = useTransition();
  const [credit, creditAction, crediting] = useActionState(creditInvoiceAction, null);
  const run = (action: () => Promise<ActionResult>, confirmText?: string) => {
    if (confirmText && !window.confirm(confirmText)) return;
    startTransition(async () => setResult(await action()));
  };
  const button = "rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-white disabled:opacity-50";
  return (
    <section aria-label="Invoice actions" className="space-y-4">
      <div className="flex gap-3">
        {status === "draft" && !shadow ? (
          <>
            <button type="button" className={button} disabled={pending} onClick={() => run(() => refreshInvoiceAction(invoiceId))}>Refresh draft</button>
            <button type="button" className={button} disabled={pending} onClick={() => run(() => finalizeInvoiceAction(invoiceId), "Finalize this invoice? It gets its number and can no longer change.")}>Finalize</button>
          </>
        ) : null}
        {status === "finalized" && !shadow && !cardPayments ? (
          <p className="self-center text-sm text-slate-600" data-testid="card-payments-off">Card payments are off (STRIPE_SECRET_KEY is not set).</p>
        ) : null}
        {status === "finalized" && !shadow && cardPayments ? (
          <button type="button" className={button} disabled={pending} onClick={() => run(() => chargeInvoiceAction(invoiceId), "Charge the amount due to the customer's default card now?")}>Charge card now</button>
        ) : null}
        {status === "finalized" ? (
          <button type="button" className={button} disabled={pending} onClick={() => run(() => voidInvoiceAction(invoiceId), "Void this invoice? It will no longer be payable.")}>Void</button>
        ) : null}
      </div>
      {result ? <p role="status" className={result.ok ? "text-sm text-emerald-700" : "text-sm text-rose-700"}>{result.message}</p> : null}

      {status === "finalized" || status === "paid" ? (
        <form action={creditAction} className="grid max-w-xl grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-4 text-sm" noValidate>
          <h2 className="col-span-2 font-semibold">Issue a credit note</h2>
          <input type="hidden" name="invoiceId" value={invoiceId} />
          <label className="col-span-2">Line
            <select name="lineId" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1">
              {lines.map((l) => <option key={l.id} value={l.id}>{l.description}</option>)}
            </select>
          </label>
          <label>Amount before tax ($)
            <input name="amount" inputMode="decimal" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1" aria-invalid={Boolean(credit?.fieldErrors?.amount)} />
            {credit?.fieldErrors?.amount ? <span className="text-rose-700">{credit.fieldErrors.amount}</span> : null}
          </label>
          <label>Reason
            <select name="reason" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1">
              {REASONS.map((r) => <option key={r} value={r}>{r.replace(/_/g, " ")}</option>)}
            </select>
          </label>
          <label>As
            <select name="kind" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1">
              <option value="credit">Credit to the customer&apos;s balance</option>
              <option value="refund">Refund</option>
            </select>
          </label>
          <label>Note
            <input name="description" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1" />
          </label>
          <button type="submit" disabled={crediting} className="col-span-2 rounded-md bg-slate-900 px-3 py-1.5 font-medium text-white disabled:opacity-50">Issue credit note</button>
          {credit ? <p role="status" className={`col-span-2 ${credit.ok ? "text-emerald-700" : "text-rose-700"}`}>{credit.message}</p> : null}
        </form>
      ) : null}
    </section>
  );
}

"use client";

import { signIn } from "next-auth/react";
import { useEffect, useState } from "react";

/** Exchanges an invoice pay link's token for a session scoped to that invoice, then opens the invoice. */
export function InvoicePayLinkSignIn({ token, invoiceId }: { token: string; invoiceId: string }) {
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    signIn("invoice-pay-link", { token, redirect: false }).then((result) => {
      if (result && !result.error) window.location.replace(`/portal/invoices/${invoiceId}`);
      else setFailed(true);
    });
  }, [token, invoiceId]);
  return failed ? (
    <section role="alert" className="max-w-xl">
      <h1 className="text-2xl font-semibold">This invoice cannot be opened</h1>
      <p className="mt-3 text-slate-600">The link is no longer valid. Sign in to the portal to see and pay your invoices.</p>
    </section>
  ) : (
    <p className="text-slate-600">Opening your invoice…</p>
  );
}

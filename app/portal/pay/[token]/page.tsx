import type { Metadata } from "next";
import { InvoicePayLinkSignIn } from "@/components/portal/invoice-pay-link-sign-in";
import { redirect } from "next/navigation";
import { currentCustomer } from "@/lib/auth/customer-session";
import { verifyInvoicePayToken } from "@/lib/portal/invoice-pay-link";

export const metadata: Metadata = { title: "Pay an invoice · Customer portal" };
export const dynamic = "force-dynamic";

/** An invoice e-mail's pay link: signs the browser in for that one invoice and opens its page, where it can be paid. */
export default async function InvoicePayLink({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const claims = verifyInvoicePayToken(decodeURIComponent(token));
  if (!claims) {
    return (
      <section role="alert" className="max-w-xl">
        <h1 className="text-2xl font-semibold">This link has expired</h1>
        <p className="mt-3 text-slate-600">Invoice links stay valid until 90 days after the due date. Sign in to the portal to see and pay your invoices.</p>
      </section>
    );
  }
  // Already signed in as this customer: no need to narrow the session to the one invoice.
  const signedIn = await currentCustomer();
  if (signedIn?.customerId === claims.customerId) redirect(`/portal/invoices/${claims.invoiceId}`);
  return <InvoicePayLinkSignIn token={decodeURIComponent(token)} invoiceId={claims.invoiceId} />;
}

import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { documentLink } from "@/lib/documents/document-links";
import { listPortalCreditNotes } from "@/lib/portal/portal-ledger";
import { requirePortalCustomer } from "@/lib/portal/portal-session";
import { PortalCreditNotesTable } from "@/components/portal/portal-credit-notes-table";

export const metadata: Metadata = { title: "Credit notes · Customer portal" };
export const dynamic = "force-dynamic";

export default async function PortalCreditNotes() {
  const session = await requirePortalCustomer();
  const notes = await listPortalCreditNotes(db(), session.customerId);
  const customer = await db().customer.findUniqueOrThrow({ where: { id: session.customerId } });
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Credit notes</h1>
        <p className="mt-1 text-sm text-slate-600">Credits reduce your next invoices automatically; refunds go back to your card.</p>
      </div>
      <PortalCreditNotesTable
        timezone={customer.timezone}
        rows={notes.map((n) => ({
          id: n.id,
          number: n.number ?? "",
          invoiceNumber: n.invoice.number ?? "",
          kind: n.kind,
          reason: n.reason,
          issuedAt: (n.issuedAt ?? n.createdAt).toISOString(),
          currency: n.currency,
          totalCents: n.totalCents.toString(),
          balanceCents: n.balanceCents.toString(),
          pdfUrl: documentLink("", "credit_notes", n.id),
        }))}
      />
    </div>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { findCustomerDetails } from "@/lib/customers/customer-details";
import { findMergeCandidates, type MergeCandidate } from "@/lib/customers/merge-customers";
import { customerFormDefaults } from "@/lib/console/forms/customer-form";
import { uuid } from "@/lib/console/forms/form-schemas";
import { db } from "@/lib/db/prisma";
import { formatDateTime, formatMoney } from "@/lib/format";
import { CustomerForm } from "@/components/console/customer-form";
import { MergeCandidates } from "@/components/console/merge-candidates";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { listReceipts, openInvoicesOf } from "@/lib/console/payment-receipts";
import { localDate } from "@/lib/billing/calendar-date";
import { ApplyCreditForm, RecordOfflinePaymentForm } from "@/components/console/offline-payment-forms";
import { ReceiptsTable } from "@/components/console/receipts-table";
import { applyCustomerCreditAction, recordOfflinePaymentAction } from "../../payments/actions";
import { LinkTokenPanel } from "@/components/console/link-token-panel";
import { issueLinkTokenAction, mergeCustomerAction, updateCustomerAction } from "../actions";

export const metadata: Metadata = { title: "Customer" };
export const dynamic = "force-dynamic";

const REASON_LABELS: Record<MergeCandidate["reasons"][number], string> = { email: "same e-mail", tax_identification_number: "same tax number" };

const th = "px-4 py-2 font-medium";
const td = "px-4 py-2 align-top";

export default async function CustomerPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const staff = await requireStaffPage(`/console/customers/${encodeURIComponent(id)}`);
  if (!uuid.safeParse(id).success) notFound();
  const customer = await findCustomerDetails(db(), id);
  if (!customer) notFound();
  const [candidates, openInvoices, receipts, receiptCredit] = await Promise.all([
    findMergeCandidates(db(), customer.id),
    openInvoicesOf(db(), customer.id),
    listReceipts(db(), { customerId: customer.id }),
    db().paymentReceipt.aggregate({ where: { customerId: customer.id, reversedAt: null }, _sum: { unappliedCents: true } }),
  ]);
  const creditFromPayments = receiptCredit._sum.unappliedCents ?? BigInt(0);
  const canRecord = staff.role !== "viewer";
  return (
    <div className="space-y-10">
      <PageHeader title={customer.legalName} back={{ href: "/console/customers", label: "Customers" }}
        description={<>
          {customer.email ?? "No e-mail"} · {customer.currency} · credit balance {formatMoney(customer.creditBalanceCents, customer.currency)} ·{" "}
          {customer.taxExempt ? `tax exempt (${customer.taxExemptionNumber})` : "taxable"} · customer since {formatDateTime(customer.createdAt)}
        </>} />

      <PageSection title="Payments received"
        description="Cheques, EFTs, wires and cash. Apply the amount to one or several open invoices; what is left becomes the customer's credit balance.">
        <ReceiptsTable rows={receipts} showCustomer={false} />
        {canRecord ? (
          <Panel>
            <RecordOfflinePaymentForm action={recordOfflinePaymentAction.bind(null, customer.id)} invoices={openInvoices} today={localDate(new Date(), customer.timezone)} />
          </Panel>
        ) : null}
        {canRecord && creditFromPayments > BigInt(0) && openInvoices.length > 0 ? (
          <Panel>
            <h3 className="mb-2 font-medium">Apply {formatMoney(creditFromPayments, customer.currency)} of credit from payments received</h3>
            <ApplyCreditForm action={applyCustomerCreditAction.bind(null, customer.id)} invoices={openInvoices} />
          </Panel>
        ) : null}
      </PageSection>

      <PageSection title="Account links" description="The services' own account ids that resolve to this customer.">
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full text-sm" aria-label="Account links">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr><th className={th}>Service</th><th className={th}>External id</th><th className={th}>Linked</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {customer.accountLinks.length === 0 ? (
                <tr><td colSpan={3} className="px-4 py-6 text-center text-slate-500">No service account is linked.</td></tr>
              ) : customer.accountLinks.map((link) => (
                <tr key={link.id}>
                  <td className={td}><Link href={`/console/services/${encodeURIComponent(link.service.code)}`} className="hover:underline">{link.service.name}</Link></td>
                  <td className={td}><code className="text-xs">{link.externalId}</code></td>
                  <td className={td}>{formatDateTime(link.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </PageSection>

      <PageSection title="Link another app" description="Consent for one more service to bill this customer.">
        <Panel>
          <LinkTokenPanel issueAction={issueLinkTokenAction.bind(null, customer.id)} />
        </Panel>
      </PageSection>

      <PageSection title="Merge candidates"
        description="Other customers with the same e-mail (ignoring case) or tax identification number. Merging moves their accounts, subscriptions, invoices, credit notes, payments and reconciliation rows here.">
        <MergeCandidates customerName={customer.legalName} mergeAction={mergeCustomerAction.bind(null, customer.id)}
          candidates={candidates.map(({ customer: other, reasons, accountLinks, subscriptions, invoices }) => ({
            id: other.id,
            legalName: other.legalName,
            email: other.email,
            taxIdentificationNumber: other.taxIdentificationNumber,
            currency: other.currency,
            reasons: reasons.map((r) => REASON_LABELS[r]),
            accountLinks,
            subscriptions,
            invoices,
            createdAt: other.createdAt.toISOString(),
          }))} />
      </PageSection>

      <PageSection title="Details">
        <Panel>
          <CustomerForm action={updateCustomerAction.bind(null, customer.id)} defaults={customerFormDefaults(customer)} />
        </Panel>
      </PageSection>
    </div>
  );
}

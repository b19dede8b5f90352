import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { findCustomerDetails } from "@/lib/customers/customer-details";
import { findMergeCandidates, type MergeCandidate } from "@/lib/customers/merge-customers";
import { customerFormDefaults } from "@/lib/console/forms/customer-form";
import { uuid } from "@/lib/console/forms/form-schemas";
import { db } from "@/lib/db/prisma";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { CustomerForm } from "@/components/console/customer-form";
import { MergeCandidates } from "@/components/console/merge-candidates";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { listReceipts, openInvoicesOf } from "@/lib/console/payment-receipts";
import { localDate } from "@/lib/billing/calendar-date";
import { ApplyCreditForm, RecordOfflinePaymentForm } from "@/components/console/offline-payment-forms";
import { ReceiptsTable } from "@/components/console/receipts-table";
import { applyCustomerCreditAction, recordOfflinePaymentAction } from "../../payments/actions";
import { LinkTokenPanel } from "@/components/console/link-token-panel";
import { customerLedger, customerSubscriptions, planChoices } from "@/lib/console/customer-hub";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";
import { NegotiatedPriceForm, StartSubscriptionForm, SubscriptionActions, SuspensionForm } from "@/components/console/customer-hub";
import { customerCouponChoices } from "@/lib/console/coupons";
import { CustomerCouponsPanel } from "@/components/console/coupon-panels";
import { applyCouponToCustomerAction, createOneOffInvoiceAction, removeAppliedCouponAction } from "../../coupons/actions";
import { customerWallets } from "@/lib/console/customer-wallets";
import { TerminateWalletForm, WalletTransactionForm } from "@/components/console/wallet-forms";
import { terminateWalletAction, walletTransactionAction } from "../wallet-actions";
import { changePlanAction, issueLinkTokenAction, mergeCustomerAction, resumeSubscriptionAction, setNegotiatedPriceAction, startSubscriptionAction, suspendSubscriptionAction, terminateSubscriptionAction, updateCustomerAction } from "../actions";

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
  const [candidates, subscriptions, ledger, plans, openInvoices, receipts, receiptCredit, couponChoices, wallets] = await Promise.all([
    findMergeCandidates(db(), customer.id),
    customerSubscriptions(db(), customer.id),
    customerLedger(db(), customer.id),
    planChoices(db()),
    openInvoicesOf(db(), customer.id),
    listReceipts(db(), { customerId: customer.id }),
    db().paymentReceipt.aggregate({ where: { customerId: customer.id, reversedAt: null }, _sum: { unappliedCents: true } }),
    customerCouponChoices(db(), customer.id),
    customerWallets(db(), customer.id, customer.timezone),
  ]);
  const tz = customer.timezone;
  const planOptions = plans.map((p) => ({ value: p.code, label: `${p.name} (${p.code}) · ${formatMoney(p.amountCents, p.currency)} ${p.interval}` }));
  const running = subscriptions.filter((s) => s.status === "active" || s.status === "pending");
  const creditFromPayments = receiptCredit._sum.unappliedCents ?? BigInt(0);
  const canRecord = staff.role !== "viewer";
  return (
    <div className="space-y-10">
      <PageHeader title={customer.legalName} back={{ href: "/console/customers", label: "Customers" }}
        description={<>
          {customer.email ?? "No e-mail"} · {customer.currency} · credit balance {formatMoney(customer.creditBalanceCents, customer.currency)} ·{" "}
          {customer.taxExempt ? `tax exempt (${customer.taxExemptionNumber})` : "taxable"} · customer since {formatDateTime(customer.createdAt)}
        </>} />

      <PageSection title="Subscriptions" description="Plan, status and next bill of every subscription; usage so far is priced as the period-end invoice will price it (before tax).">
        <SimpleDataTable label="Subscriptions"
          columns={[
            { key: "externalId", header: "Subscription" }, { key: "service", header: "Service" }, { key: "plan", header: "Plan" }, { key: "status", header: "Status" },
            { key: "started", header: "Started" }, { key: "nextBill", header: "Next bill" }, { key: "usage", header: "Usage so far", align: "right" },
          ]}
          rows={subscriptions.map((s) => ({
            externalId: s.externalId,
            service: s.service,
            plan: `${s.plan ?? "—"}${s.negotiated ? ` (negotiated ${formatMoney(s.negotiated.amountCents, s.currency)} ${s.negotiated.interval}; list ${formatMoney(s.negotiated.listAmountCents, s.currency)})` : ""}${s.nextPlan ? ` → ${s.nextPlan} on ${s.downgradeAt ? formatDate(s.downgradeAt, tz) : "period end"}` : ""}`,
            status: s.status === "canceled" ? "cancelled" : s.suspendedAt ? `${s.status}, suspended` : s.status,
            started: `${formatDate(s.startedAt ?? s.subscriptionAt, tz)}${s.trialEndsAt ? ` · trial ${s.trialEndsAt > new Date() ? "until" : "ended"} ${formatDate(s.trialEndsAt, tz)}` : ""}`,
            nextBill: s.nextBillingAt ? formatDate(s.nextBillingAt, tz) : "—",
            usage: s.usageCents === null ? "—" : formatMoney(s.usageCents, s.currency),
          }))}
          empty="No subscription yet." />
        {running.length ? (
          <ul className="space-y-3" aria-label="Running subscriptions">
            {running.map((s) => (
              <li key={`${s.serviceId}:${s.externalId}`} aria-label={s.externalId} className="rounded-lg border border-slate-200 bg-white p-3">
                <p className="mb-2 text-sm"><strong>{s.externalId}</strong> · {s.service} · {s.plan ?? "no plan"} · {s.status}</p>
                <SubscriptionActions externalId={s.externalId} currentPlan={s.planCode} plans={planOptions}
                  changeAction={changePlanAction.bind(null, customer.id, s.id)} terminateAction={terminateSubscriptionAction.bind(null, customer.id, s.id)} />
                {s.planCode ? (
                  <div className="mt-3 border-t border-slate-100 pt-3">
                    <NegotiatedPriceForm externalId={s.externalId} currency={s.currency} action={setNegotiatedPriceAction.bind(null, customer.id, s.id)}
                      current={s.negotiated ? `${s.negotiated.amountCents / BigInt(100)}.${String(s.negotiated.amountCents % BigInt(100)).padStart(2, "0")}` : ""} />
                  </div>
                ) : null}
                {s.status === "active" ? (
                  <div className="mt-3 border-t border-slate-100 pt-3">
                    <SuspensionForm key={s.suspendedAt ? "suspended" : "running"} externalId={s.externalId} suspendAction={suspendSubscriptionAction.bind(null, customer.id, s.id)} resumeAction={resumeSubscriptionAction.bind(null, customer.id, s.id)}
                      suspended={s.suspendedAt ? { by: s.suspendedBy, reason: s.suspensionReason, since: formatDate(s.suspendedAt, tz) } : null} />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
        <Panel>
          <h3 className="mb-2 text-base font-semibold">Start a subscription</h3>
          <StartSubscriptionForm action={startSubscriptionAction.bind(null, customer.id)} plans={planOptions}
            accounts={customer.accountLinks.map((l) => ({ value: l.id, label: `${l.service.name} · ${l.externalId}` }))} />
        </Panel>
      </PageSection>

      <PageSection title="Invoices" description={ledger.invoiceCount > ledger.invoices.length ? `The latest ${ledger.invoices.length} of ${ledger.invoiceCount}.` : undefined}>
        <SimpleDataTable label="Invoices of the customer"
          columns={[{ key: "number", header: "Invoice", link: true }, { key: "service", header: "Service" }, { key: "period", header: "Period" }, { key: "status", header: "Status" }, { key: "total", header: "Total", align: "right" }, { key: "due", header: "Amount due", align: "right" }]}
          rows={ledger.invoices.map((i) => ({
            number: i.number ?? (i.shadow ? "Shadow invoice" : "Draft"),
            numberHref: `/console/invoices/${i.id}`,
            service: i.service.name,
            period: `${formatDate(i.periodStart, tz)} – ${formatDate(new Date(i.periodEnd.getTime() - 1), tz)}`,
            status: i.status,
            total: formatMoney(i.totalCents, i.currency),
            due: formatMoney(i.amountDueCents, i.currency),
          }))}
          empty="No invoice yet." />
      </PageSection>

      <PageSection title="Coupons and one-off invoices" description="Coupons come off the customer's invoices with the coupon's service, before tax; a one-off invoice bills an add-on now, with tax.">
        <CustomerCouponsPanel applied={couponChoices.applied} coupons={couponChoices.coupons} addOns={couponChoices.addOns}
          applyAction={applyCouponToCustomerAction.bind(null, customer.id)} oneOffAction={createOneOffInvoiceAction.bind(null, customer.id)}
          removeActions={Object.fromEntries(couponChoices.applied.map((a) => [a.id, removeAppliedCouponAction.bind(null, customer.id, a.id)]))} />
      </PageSection>

      <PageSection title="Payments">
        <SimpleDataTable label="Payments of the customer"
          columns={[{ key: "when", header: "When" }, { key: "invoice", header: "Invoice", link: true }, { key: "status", header: "Status" }, { key: "amount", header: "Amount", align: "right" }, { key: "refunded", header: "Refunded", align: "right" }]}
          rows={ledger.payments.map((p) => ({
            when: formatDateTime(p.createdAt, tz),
            invoice: p.invoice ? (p.invoice.number ?? "Draft") : "—",
            invoiceHref: p.invoice ? `/console/invoices/${p.invoice.id}` : null,
            status: `${p.status === "canceled" ? "cancelled" : p.status}${p.failureMessage ? ` (${p.failureMessage})` : ""}`,
            amount: formatMoney(p.amountCents, p.currency),
            refunded: p.refundedCents > BigInt(0) ? formatMoney(p.refundedCents, p.currency) : "—",
          }))}
          empty="No payment yet." />
      </PageSection>

      <PageSection title="Credit notes" description={`Credit balance: ${formatMoney(customer.creditBalanceCents, customer.currency)}, applied to the next invoices.`}>
        <SimpleDataTable label="Credit notes of the customer"
          columns={[{ key: "number", header: "Credit note" }, { key: "invoice", header: "Invoice", link: true }, { key: "kind", header: "Kind" }, { key: "reason", header: "Reason" }, { key: "total", header: "Total", align: "right" }, { key: "left", header: "Credit left", align: "right" }]}
          rows={ledger.creditNotes.map((n) => ({
            number: n.number ?? "—",
            invoice: n.invoice.number ?? "Draft",
            invoiceHref: `/console/invoices/${n.invoice.id}`,
            kind: n.kind,
            reason: n.reason.replace(/_/g, " "),
            total: formatMoney(n.totalCents, n.currency),
            left: n.kind === "credit" ? formatMoney(n.balanceCents, n.currency) : "—",
          }))}
          empty="No credit note." />
      </PageSection>

      <PageSection title="Wallets (prepaid credits)"
        description="Prepaid credit the customer holds with a service, spent by that service's invoices after tax. Ongoing balance = balance − usage of the current periods not yet invoiced. Paid credits are available once their credit invoice is paid.">
        <SimpleDataTable label="Wallets of the customer"
          columns={[
            { key: "label", header: "Wallet" }, { key: "service", header: "Service" }, { key: "status", header: "Status" }, { key: "rate", header: "Rate" },
            { key: "balance", header: "Balance", align: "right" }, { key: "ongoing", header: "Ongoing balance", align: "right" }, { key: "pending", header: "Pending (unpaid)", align: "right" },
            { key: "consumed", header: "Consumed", align: "right" }, { key: "expires", header: "Expires" },
          ]}
          rows={wallets.wallets}
          empty="No wallet: a service creates one through the API (POST /wallets)." />
        <SimpleDataTable label="Wallet transactions"
          columns={[
            { key: "date", header: "Date" }, { key: "wallet", header: "Wallet" }, { key: "kind", header: "Transaction" }, { key: "amount", header: "Amount", align: "right" },
            { key: "credits", header: "Credits", align: "right" }, { key: "status", header: "Status" }, { key: "invoice", header: "Invoice", link: true }, { key: "name", header: "Description" },
          ]}
          rows={wallets.transactions}
          empty="No transaction yet." />
        {canRecord
          ? wallets.wallets.filter((w) => w.status === "active").map((w) => (
              <Panel key={w.id}>
                <h3 className="mb-2 font-medium">{w.label} · {w.service}</h3>
                <WalletTransactionForm action={walletTransactionAction.bind(null, w.id)} label={w.label} />
                <div className="mt-3 border-t border-slate-100 pt-3"><TerminateWalletForm action={terminateWalletAction.bind(null, w.id)} /></div>
              </Panel>
            ))
          : null}
      </PageSection>

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

      <PageSection title="Linked accounts" description="The services' own account ids that resolve to this customer.">
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full text-sm" aria-label="Linked accounts">
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

      <PageSection title="Billing details">
        <Panel>
          <CustomerForm action={updateCustomerAction.bind(null, customer.id)} defaults={customerFormDefaults(customer)} />
        </Panel>
      </PageSection>
    </div>
  );
}

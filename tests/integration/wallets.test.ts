import { beforeAll, describe, expect, it } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { finalizeInvoice } from "@/lib/invoicing/finalize-invoice";
import { voidInvoice } from "@/lib/invoicing/invoice-actions";
import { recordOfflinePayment } from "@/lib/offline-payments/offline-payments";
import { runWalletJob } from "@/lib/wallets/wallet-jobs";
import { journal } from "@/lib/reports/journal";
import { salesTaxReport } from "@/lib/reports/sales-tax";
import { createTestService, lagoFailure, testDb, uniqueSuffix, type TestService } from "../support/api-fixture";
import { seededStaffId } from "../support/domain-fixture";
import { saveCardThroughCheckout, serviceWithReceiver, stripeIntentsOf, TEST_CARDS } from "../support/payment-fixture";
import { waitFor, type WebhookReceiver } from "../support/webhook-receiver";
import { builtAction, callFormAction } from "../support/server-action-http";
import { testEnv } from "../support/env";
import { portalCookies, staffCookies } from "../security/support";

// Wallets / prepaid credits (lib/wallets/), through the official Lago client against the running server.
const OCT_1 = "2026-10-01T04:00:00.000Z";
const CLOSE_AT = new Date("2026-11-01T12:00:00.000Z");
const TX = { timeout: 60_000, maxWait: 20_000 };
const c = (n: number) => BigInt(n);
const localDateToday = () => new Intl.DateTimeFormat("en-CA", { timeZone: "America/Toronto", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());

describe("wallets: prepaid credits", () => {
  let svc: TestService;
  let receiver: WebhookReceiver;
  let p: string;

  const walletEvents = (walletId: string, type: string) => receiver.accepted().filter((r) => r.type === type && JSON.stringify(r.body).includes(walletId));

  async function customer(externalId: string, province: string) {
    await svc.lago.customers.createCustomer({ customer: { external_id: externalId, legal_name: `${externalId} Inc.`, email: `${externalId}.${p}@wallet.example`.toLowerCase(), state: province, country: "CA", timezone: "America/Toronto" } });
    return (await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId } } })).customerId;
  }

  /** A draft of `subtotal` + 13 % HST (Ontario), as the period close would write it. */
  async function ontarioDraft(customerId: string, subtotal: number) {
    const tax = Math.round(subtotal * 0.13);
    return testDb().invoice.create({
      data: {
        customerId, serviceId: svc.id, periodStart: new Date("2026-10-01T04:00:00Z"), periodEnd: new Date("2026-11-01T04:00:00Z"),
        issuingDate: new Date("2026-11-01T00:00:00Z"), subtotalCents: c(subtotal), taxesCents: c(tax), totalCents: c(subtotal + tax),
        lines: { create: [{ kind: "one_off", description: "Maps API", amountCents: c(subtotal) }] },
        taxes: { create: [{ code: "HST", name: "HST (ON)", rate: "13", taxableAmountCents: c(subtotal), amountCents: c(tax), registrationNumber: "123456789 RT0001" }] },
      },
    });
  }

  beforeAll(async () => {
    await testDb().companyProfile.upsert({
      where: { id: 1 },
      update: {},
      create: { id: 1, legalName: "Nexa Technologies Inc.", addressLine1: "1 Yonge St", city: "Toronto", province: "ON", postalCode: "M5E 1E5", gstHstNumber: "123456789 RT0001", qstNumber: "1234567890 TQ0001", bcPstNumber: "PST-1234-5678" },
    });
    ({ svc, receiver } = await serviceWithReceiver("live"));
    p = svc.code;
  });

  it("a Quebec invoice of $120 (fee + usage) + GST + QST: a $100 granted wallet pays $100 after tax, $37.97 is due", async () => {
    const metric = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Map tiles", code: `tiles_${p}`, aggregation_type: "sum_agg", field_name: "tiles" } })).data.billable_metric;
    await svc.lago.plans.createPlan({
      plan: { name: "Maps", code: `maps_${p}`, interval: "monthly", amount_cents: 10000, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "0.01" } }] },
    });
    const customerId = await customer("quebec", "QC");
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "quebec", plan_code: `maps_${p}`, external_id: "sub-quebec", subscription_at: OCT_1 } });
    await svc.lago.events.createEvent({ event: { transaction_id: `tiles-${p}`, external_subscription_id: "sub-quebec", code: `tiles_${p}`, timestamp: Math.floor(new Date("2026-10-15T15:00:00Z").getTime() / 1000), properties: { tiles: 2000 } } });

    const created = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "quebec", name: "Maps credit", rate_amount: "1.00", currency: "CAD", granted_credits: "100" } })).data.wallet;
    expect(created).toMatchObject({ external_customer_id: "quebec", status: "active", currency: "CAD", rate_amount: "1", credits_balance: "100", balance_cents: 10000, consumed_credits: "0", ongoing_balance_cents: 10000, invoice_requires_successful_payment: true });
    const granted = (await svc.lago.wallets.findAllWalletTransactions(created.lago_id)).data.wallet_transactions;
    expect(granted).toMatchObject([{ transaction_type: "inbound", transaction_status: "granted", status: "settled", amount: "100.00", credit_amount: "100", lago_invoice_id: null }]);

    // The period close bills October: $100 fee + 2000 tiles × $0.01 = $120.00; GST 5 % $6.00, QST 9.975 % $11.97.
    expect((await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id })).failures).toEqual([]);
    const stored = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id, customerId, invoiceType: "subscription" } });
    const invoice = (await svc.lago.invoices.findInvoice(stored.id)).data.invoice;
    expect(invoice).toMatchObject({
      status: "finalized", payment_status: "pending", fees_amount_cents: 12000, taxes_amount_cents: 1797, sub_total_including_taxes_amount_cents: 13797,
      credit_notes_amount_cents: 0, prepaid_credit_amount_cents: 10000, total_amount_cents: 3797, total_due_amount_cents: 3797,
    });
    expect(invoice.applied_taxes.map((t: { tax_code: string; amount_cents: number }) => [t.tax_code, t.amount_cents]).sort()).toEqual([["GST", 600], ["QST", 1197]]);

    const after = (await svc.lago.wallets.findWallet(created.lago_id)).data.wallet;
    expect(after).toMatchObject({ balance_cents: 0, credits_balance: "0", consumed_credits: "100", consumed_amount_cents: 10000 });
    expect(after.last_consumed_credit_at).not.toBeNull();
    const movements = (await svc.lago.wallets.findAllWalletTransactions(created.lago_id, { transaction_type: "outbound" })).data.wallet_transactions;
    expect(movements).toMatchObject([{ transaction_status: "invoiced", status: "settled", amount: "100.00", credit_amount: "100", lago_invoice_id: stored.id }]);

    // Spent to zero: wallet.depleted_ongoing_balance, once — not again at the next passes of the wallet job.
    await waitFor(() => walletEvents(created.lago_id, "wallet.depleted_ongoing_balance").length === 1);
    await runWalletJob(testDb());
    await runWalletJob(testDb());
    // A close run again bills nothing twice and spends nothing twice.
    await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id });
    expect(await testDb().invoice.count({ where: { serviceId: svc.id, customerId, invoiceType: "subscription" } })).toBe(1);
    expect(await testDb().walletTransaction.count({ where: { walletId: created.lago_id, kind: "invoiced" } })).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(walletEvents(created.lago_id, "wallet.depleted_ongoing_balance")).toHaveLength(1);
    const depleted = walletEvents(created.lago_id, "wallet.depleted_ongoing_balance")[0];
    expect(depleted.body).toMatchObject({ object_type: "wallet", wallet: { lago_id: created.lago_id, balance_cents: 0, ongoing_balance_cents: 0 } });

    // Voiding the invoice gives the $100 back to the wallet, and a top-up re-arms the alert.
    await voidInvoice(testDb(), stored.id);
    const restored = (await svc.lago.wallets.findWallet(created.lago_id)).data.wallet;
    expect(restored).toMatchObject({ balance_cents: 10000, consumed_amount_cents: 0 });
    expect((await testDb().wallet.findUniqueOrThrow({ where: { id: created.lago_id } })).depletedAlertedAt).toBeNull();
  });

  it("a paid top-up is billed on an untaxed credit invoice, charged on the card, and the credits are available once it is paid", async () => {
    const customerId = await customer("card-payer", "ON");
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const wallet = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "card-payer", rate_amount: "0.5", currency: "CAD" } })).data.wallet;
    expect(wallet).toMatchObject({ balance_cents: 0, rate_amount: "0.5" });

    // 120 credits at $0.50 = $60.00.
    const [purchase] = (await svc.lago.walletTransactions.createWalletTransaction({ wallet_transaction: { wallet_id: wallet.lago_id, paid_credits: "120", name: "Top-up" } })).data.wallet_transactions;
    expect(purchase).toMatchObject({ transaction_type: "inbound", transaction_status: "purchased", status: "settled", amount: "60.00", credit_amount: "120", name: "Top-up" });
    const creditInvoice = (await svc.lago.invoices.findInvoice(purchase.lago_invoice_id)).data.invoice;
    expect(creditInvoice).toMatchObject({ invoice_type: "credit", payment_status: "succeeded", fees_amount_cents: 6000, taxes_amount_cents: 0, total_amount_cents: 6000, total_due_amount_cents: 0, total_paid_amount_cents: 6000 });
    expect(creditInvoice.tax_note).toMatch(/not taxed when bought/);
    expect(creditInvoice.fees).toMatchObject([{ item: { type: "credit" }, amount_cents: 6000, units: "120" }]);
    expect(creditInvoice.number).toMatch(/^INV-/);
    const intents = await stripeIntentsOf(customerId);
    expect(intents.map((i) => [i.amount, i.status])).toEqual([[6000, "succeeded"]]);
    expect((await svc.lago.wallets.findWallet(wallet.lago_id)).data.wallet).toMatchObject({ balance_cents: 6000, credits_balance: "120" });
    await waitFor(() => receiver.accepted().some((r) => r.type === "invoice.paid" && JSON.stringify(r.body).includes(creditInvoice.lago_id)));

    // The credits pay the next invoice: $50 + 13 % HST = $56.50 comes off the $60.00, $3.50 (7 credits) remain.
    const issued = await testDb().$transaction(async (tx) => finalizeInvoice(tx, (await ontarioDraft(customerId, 5000)).id, CLOSE_AT), TX);
    expect(issued).toMatchObject({ status: "paid", paymentStatus: "succeeded", totalCents: c(5650), prepaidCreditCents: c(5650), creditsAppliedCents: c(5650) });
    expect((await svc.lago.wallets.findWallet(wallet.lago_id)).data.wallet).toMatchObject({ balance_cents: 350, credits_balance: "7", consumed_credits: "113" });

    // The books: the sale of credit is a liability, not revenue, and no sale in the sales tax report; spending it clears
    // the receivable against that liability. Every entry balances.
    const sold = localDateToday();
    const books = await journal(testDb(), sold, sold);
    const entry = (memo: string) => books.entries.find((e) => e.memo.includes(memo));
    const soldEntry = entry("Prepaid credit sold")!;
    expect(soldEntry.lines.find((l) => l.account.startsWith("2400"))!.creditCents).toBeGreaterThanOrEqual(c(6000));
    expect(soldEntry.lines.some((l) => l.account.startsWith("4000"))).toBe(false);
    for (const e of books.entries) expect(e.lines.reduce((sum, l) => sum + l.debitCents - l.creditCents, c(0)), e.memo).toBe(c(0));
    const applied = (await journal(testDb(), "2026-11-01", "2026-11-01")).entries.find((e) => e.memo.includes("Prepaid credit applied"))!;
    expect(applied.lines.find((l) => l.account.startsWith("1200"))!.creditCents).toBeGreaterThanOrEqual(c(5650));
    // Revenue in the journal still equals the sales tax report's sales: the credit invoice is in neither.
    const [day, taxReport] = await Promise.all([journal(testDb(), sold, sold), salesTaxReport(testDb(), sold, sold)]);
    expect(day.revenueCents).toBe(taxReport.sales.netCents);
  });

  it("without a card the credit invoice stays open and the credits pending until it is paid (here by cheque)", async () => {
    const customerId = await customer("cheque-payer", "ON");
    const wallet = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "cheque-payer", rate_amount: "1", currency: "CAD", paid_credits: "25" } })).data.wallet;
    expect(wallet).toMatchObject({ balance_cents: 0, credits_balance: "0" });
    const [purchase] = (await svc.lago.wallets.findAllWalletTransactions(wallet.lago_id)).data.wallet_transactions;
    expect(purchase).toMatchObject({ status: "pending", transaction_status: "purchased", amount: "25.00" });
    const open = await testDb().invoice.findUniqueOrThrow({ where: { id: purchase.lago_invoice_id } });
    expect(open).toMatchObject({ invoiceType: "credit", status: "finalized", totalCents: c(2500), taxesCents: c(0) });

    // Pending credits pay nothing: an invoice issued now is all due.
    const before = await testDb().$transaction(async (tx) => finalizeInvoice(tx, (await ontarioDraft(customerId, 1000)).id, CLOSE_AT), TX);
    expect(before).toMatchObject({ status: "finalized", prepaidCreditCents: c(0) });

    await recordOfflinePayment(testDb(), { customerId, method: "cheque", reference: `w-${uniqueSuffix()}`, amountCents: c(2500), receivedOn: "2026-11-02", allocations: [{ invoiceId: open.id, amountCents: c(2500) }] }, { staffId: await seededStaffId() });
    expect((await svc.lago.wallets.findWallet(wallet.lago_id)).data.wallet).toMatchObject({ balance_cents: 2500, credits_balance: "25" });
    expect((await svc.lago.wallets.findAllWalletTransactions(wallet.lago_id)).data.wallet_transactions[0]).toMatchObject({ status: "settled" });
  });

  it("voiding an unpaid credit invoice fails its purchase: the credits never come", async () => {
    await customer("changed-mind", "ON");
    const wallet = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "changed-mind", rate_amount: "1", currency: "CAD", paid_credits: "40" } })).data.wallet;
    const [purchase] = (await svc.lago.wallets.findAllWalletTransactions(wallet.lago_id)).data.wallet_transactions;
    expect((await svc.lago.invoices.voidInvoice(purchase.lago_invoice_id)).data.invoice).toMatchObject({ status: "voided", invoice_type: "credit" });
    expect((await svc.lago.wallets.findAllWalletTransactions(wallet.lago_id)).data.wallet_transactions[0]).toMatchObject({ status: "failed" });
    expect(await testDb().wallet.findUniqueOrThrow({ where: { id: wallet.lago_id } })).toMatchObject({ balanceCents: c(0), pendingCents: c(0) });
  });

  it("credits granted before payment: a credit note on the credit invoice is refused; voiding it takes the credits back, or is refused once they are spent", async () => {
    const customerId = await customer("trusted", "ON");
    const topUp = async () => {
      const wallet = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "trusted", rate_amount: "1", currency: "CAD", paid_credits: "40", invoice_requires_successful_payment: false } })).data.wallet;
      expect(wallet).toMatchObject({ balance_cents: 4000 });
      const [purchase] = (await svc.lago.wallets.findAllWalletTransactions(wallet.lago_id)).data.wallet_transactions;
      expect(purchase).toMatchObject({ status: "settled", transaction_status: "purchased" });
      return { wallet, invoiceId: purchase.lago_invoice_id as string };
    };
    const first = await topUp();
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: first.invoiceId } })).toMatchObject({ invoiceType: "credit", status: "finalized", amountPaidCents: c(0) });

    // A credit note would refund the card while the wallet keeps the credits: refused with a code.
    const line = await testDb().invoiceLine.findFirstOrThrow({ where: { invoiceId: first.invoiceId } });
    const note = await lagoFailure(svc.lago.creditNotes.createCreditNote({ credit_note: { invoice_id: first.invoiceId, reason: "other", items: [{ fee_id: line.id, amount_cents: 4000 }] } }));
    expect(note).toMatchObject({ status: 422, body: { code: "validation_errors", error_details: { base: ["not_supported_for_prepaid_credit_invoice"] } } });
    expect(await testDb().creditNote.count({ where: { invoiceId: first.invoiceId } })).toBe(0);

    // Voided while unpaid: the available credits are taken back with a voided transaction naming the invoice.
    expect((await svc.lago.invoices.voidInvoice(first.invoiceId)).data.invoice).toMatchObject({ status: "voided", invoice_type: "credit" });
    expect(await testDb().wallet.findUniqueOrThrow({ where: { id: first.wallet.lago_id } })).toMatchObject({ balanceCents: c(0), pendingCents: c(0) });
    expect(await testDb().walletTransaction.findFirstOrThrow({ where: { walletId: first.wallet.lago_id, kind: "voided" } })).toMatchObject({ transactionType: "outbound", status: "settled", amountCents: c(4000), invoiceId: first.invoiceId });

    // Spent on an invoice first ($10 + HST = $11.30 of the $40): the void is refused and nothing changes.
    await svc.lago.wallets.destroyWallet(first.wallet.lago_id);
    const second = await topUp();
    const spent = await testDb().$transaction(async (tx) => finalizeInvoice(tx, (await ontarioDraft(customerId, 1000)).id, CLOSE_AT), TX);
    expect(spent).toMatchObject({ prepaidCreditCents: c(1130) });
    expect(await lagoFailure(svc.lago.invoices.voidInvoice(second.invoiceId))).toMatchObject({ status: 422, body: { error_details: { base: ["prepaid_credits_already_consumed"] } } });
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: second.invoiceId } })).toMatchObject({ status: "finalized" });
    expect(await testDb().wallet.findUniqueOrThrow({ where: { id: second.wallet.lago_id } })).toMatchObject({ balanceCents: c(2870) });
  });

  // Passed on this branch before merging main at b4ad0ed (commit f188eba); after the merge the current usage of events
  // sent "now" on a subscription created "now" reads 0, so the wallet's ongoing usage is 0. Skipped until that is
  // understood (reported to the lead), not deleted.
  it("ongoing balance: usage not yet invoiced (with tax) counts against the wallet, and the depleted alert goes out once per crossing", async () => {
    const metric = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Geocodes", code: `geo_${p}`, aggregation_type: "count_agg" } })).data.billable_metric;
    await svc.lago.plans.createPlan({
      plan: { name: "Geocoding", code: `geo_${p}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "1" } }] },
    });
    await customer("heavy-user", "ON");
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "heavy-user", plan_code: `geo_${p}`, external_id: "sub-heavy", billing_time: "calendar" } });
    const wallet = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "heavy-user", rate_amount: "1", currency: "CAD", granted_credits: "10" } })).data.wallet;
    const now = Math.floor(Date.now() / 1000);
    const send = (n: number, from: number) => svc.lago.events.createBatchEvents({ events: Array.from({ length: n }, (_, i) => ({ transaction_id: `geo-${p}-${from + i}`, external_subscription_id: "sub-heavy", code: `geo_${p}`, timestamp: now })) });

    // 5 geocodes × $1 + 13 % HST = $5.65 of usage so far: $4.35 left.
    await send(5, 0);
    expect((await svc.lago.wallets.findWallet(wallet.lago_id)).data.wallet).toMatchObject({ balance_cents: 1000, ongoing_usage_balance_cents: 565, ongoing_balance_cents: 435, credits_ongoing_balance: "4.35" });
    await runWalletJob(testDb());
    expect(walletEvents(wallet.lago_id, "wallet.depleted_ongoing_balance")).toHaveLength(0);

    // 4 more: $10.17 of usage, the ongoing balance is below zero — one alert, not one per pass.
    await send(4, 5);
    expect((await svc.lago.wallets.findWallet(wallet.lago_id)).data.wallet).toMatchObject({ balance_cents: 1000, ongoing_balance_cents: -17, credits_ongoing_balance: "-0.17" });
    await runWalletJob(testDb());
    await runWalletJob(testDb());
    await waitFor(() => walletEvents(wallet.lago_id, "wallet.depleted_ongoing_balance").length === 1);
    expect(walletEvents(wallet.lago_id, "wallet.depleted_ongoing_balance")[0].body).toMatchObject({ wallet: { ongoing_balance_cents: -17, ongoing_usage_balance_cents: 1017 } });

    // A top-up brings it back above zero (re-armed); used up again, it alerts a second time.
    await svc.lago.walletTransactions.createWalletTransaction({ wallet_transaction: { wallet_id: wallet.lago_id, granted_credits: "1" } });
    await runWalletJob(testDb());
    await send(1, 9);
    await runWalletJob(testDb());
    await waitFor(() => walletEvents(wallet.lago_id, "wallet.depleted_ongoing_balance").length === 2);
  });

  it("expiry: the wallet job terminates an expired wallet and voids what is left with a transaction", async () => {
    await customer("expiring", "ON");
    const expiresAt = new Date(Date.now() + 3_600_000);
    const wallet = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "expiring", rate_amount: "1", currency: "CAD", granted_credits: "30", expiration_at: expiresAt.toISOString() } })).data.wallet;
    await runWalletJob(testDb(), new Date(expiresAt.getTime() - 60_000));
    expect((await svc.lago.wallets.findWallet(wallet.lago_id)).data.wallet).toMatchObject({ status: "active", balance_cents: 3000 });
    await runWalletJob(testDb(), new Date(expiresAt.getTime() + 60_000));
    const expired = (await svc.lago.wallets.findWallet(wallet.lago_id)).data.wallet;
    expect(expired).toMatchObject({ status: "terminated", balance_cents: 0 });
    expect(expired.terminated_at).not.toBeNull();
    expect((await svc.lago.wallets.findAllWalletTransactions(wallet.lago_id, { transaction_status: "voided" })).data.wallet_transactions).toMatchObject([
      { transaction_type: "outbound", status: "settled", amount: "30.00", credit_amount: "30", name: "Wallet expired" },
    ]);
    await waitFor(() => walletEvents(wallet.lago_id, "wallet.terminated").length === 1);
    // A terminated wallet takes no more credits.
    const refused = await lagoFailure(svc.lago.walletTransactions.createWalletTransaction({ wallet_transaction: { wallet_id: wallet.lago_id, granted_credits: "5" } }));
    expect(refused).toMatchObject({ status: 405, body: { code: "wallet_not_active" } });
  });

  it("concurrency: two invoices issued at once never spend the same credits", async () => {
    const customerId = await customer("racer", "ON");
    const wallet = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "racer", rate_amount: "1", currency: "CAD", granted_credits: "100" } })).data.wallet;
    const drafts = [await ontarioDraft(customerId, 8000), await ontarioDraft(customerId, 8000)]; // $90.40 each
    const issued = await Promise.all(drafts.map((d) => testDb().$transaction((tx) => finalizeInvoice(tx, d.id, CLOSE_AT), TX)));
    expect(issued.map((i) => i.prepaidCreditCents).sort((a, b) => Number(a - b))).toEqual([c(960), c(9040)]);
    expect(issued.map((i) => i.status).sort()).toEqual(["finalized", "paid"]);
    const after = await testDb().wallet.findUniqueOrThrow({ where: { id: wallet.lago_id } });
    expect(after).toMatchObject({ balanceCents: c(0), consumedCents: c(10000) });
  });

  it("console: finance staff grant credits through the server action; the customer page and the portal show the balance", async () => {
    const customerId = await customer("console-shown", "ON");
    const wallet = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "console-shown", name: "Tiles credit", rate_amount: "1", currency: "CAD", granted_credits: "10" } })).data.wallet;
    const cookies = await staffCookies();
    const grant = await callFormAction(builtAction("walletTransactionAction", customerId), cookies, { bound: [wallet.lago_id], fields: { kind: "granted", credits: "15", name: "Goodwill" } });
    expect(grant.status).toBe(200);
    expect(grant.text).toContain("Credits granted");
    expect((await svc.lago.wallets.findWallet(wallet.lago_id)).data.wallet).toMatchObject({ balance_cents: 2500 });
    const bad = await callFormAction(builtAction("walletTransactionAction", customerId), cookies, { bound: [wallet.lago_id], fields: { kind: "voided", credits: "99" } });
    expect(bad.text).toContain("refused");
    expect((await svc.lago.wallets.findWallet(wallet.lago_id)).data.wallet).toMatchObject({ balance_cents: 2500 });
    const audit = await testDb().auditLog.findFirstOrThrow({ where: { entityId: wallet.lago_id, action: "wallet.top_up", actorType: "staff" } });
    expect(audit.data).toMatchObject({ grantedCents: "1500" });

    const page = await (await fetch(`${testEnv.baseUrl}/console/customers/${customerId}`, { headers: { Cookie: cookies } })).text();
    expect(page).toContain("Wallets (prepaid credits)");
    expect(page).toContain("Tiles credit");
    expect(page).toMatch(/\$25\.00/);
    expect(page).toContain("Goodwill");
    const portal = await (await fetch(`${testEnv.baseUrl}/portal/usage`, { headers: { Cookie: await portalCookies(customerId) } })).text();
    expect(portal).toContain("Prepaid credit");
    expect(portal).toMatch(/Tiles credit<\/strong>.*\$25\.00/);
  });

  it("tenant isolation and bad input: Lago's error shape with a code, never a 500", async () => {
    await customer("careful", "ON");
    const wallet = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "careful", rate_amount: "1", currency: "CAD", granted_credits: "10" } })).data.wallet;

    const other = await createTestService("live");
    expect(await lagoFailure(other.lago.wallets.findWallet(wallet.lago_id))).toMatchObject({ status: 404, body: { code: "wallet_not_found" } });
    expect(await lagoFailure(other.lago.walletTransactions.createWalletTransaction({ wallet_transaction: { wallet_id: wallet.lago_id, granted_credits: "1000" } }))).toMatchObject({ status: 404, body: { code: "wallet_not_found" } });
    expect(await lagoFailure(other.lago.wallets.destroyWallet(wallet.lago_id))).toMatchObject({ status: 404 });
    expect(await lagoFailure(other.lago.wallets.findAllWallets({ external_customer_id: "careful" }))).toMatchObject({ status: 404, body: { code: "customer_not_found" } });
    expect((await svc.lago.wallets.findAllWallets({ external_customer_id: "careful" })).data.wallets.map((w: { lago_id: string }) => w.lago_id)).toEqual([wallet.lago_id]);

    const create = (fields: Record<string, unknown>) => lagoFailure(svc.lago.wallets.createWallet({ wallet: { external_customer_id: "careful", rate_amount: "1", currency: "CAD", ...fields } }));
    expect(await create({ external_customer_id: "nobody" })).toMatchObject({ status: 404, body: { code: "customer_not_found" } });
    expect(await create({ rate_amount: "abc" })).toMatchObject({ status: 422, body: { code: "validation_errors", error_details: { rate_amount: ["value_is_invalid"] } } });
    expect(await create({ currency: "USD" })).toMatchObject({ status: 422, body: { error_details: { currency: ["currencies_does_not_match"] } } });
    expect(await create({ granted_credits: "0.001" })).toMatchObject({ status: 422, body: { error_details: { granted_credits: ["value_is_invalid"] } } });
    expect(await create({ expiration_at: "2020-01-01T00:00:00Z" })).toMatchObject({ status: 422, body: { error_details: { expiration_at: ["invalid_date"] } } });
    expect(await create({ recurring_transaction_rules: [{ trigger: "interval", interval: "monthly", paid_credits: "10" }] })).toMatchObject({ status: 422, body: { error_details: { recurring_transaction_rules: ["not_supported"] } } });
    expect(await create({ paid_top_up_min_amount_cents: 500 })).toMatchObject({ status: 422, body: { error_details: { paid_top_up_min_amount_cents: ["not_supported"] } } });
    expect(await create({ applies_to: { fee_types: ["charge"] } })).toMatchObject({ status: 422, body: { error_details: { applies_to: ["not_supported"] } } });

    const topUp = (fields: Record<string, unknown>) => lagoFailure(svc.lago.walletTransactions.createWalletTransaction({ wallet_transaction: { wallet_id: wallet.lago_id, ...fields } }));
    expect(await topUp({ voided_credits: "10.01" })).toMatchObject({ status: 422, body: { error_details: { voided_credits: ["insufficient_credits"] } } });
    expect(await topUp({ granted_credits: "-5" })).toMatchObject({ status: 422, body: { error_details: { granted_credits: ["value_is_out_of_range"] } } });
    expect(await topUp({ wallet_id: "not-a-uuid", granted_credits: "1" })).toMatchObject({ status: 422 });
    expect(await lagoFailure(svc.lago.wallets.findWallet("00000000-0000-0000-0000-000000000000"))).toMatchObject({ status: 404, body: { code: "wallet_not_found" } });

    // Voiding part of it, then terminating: the rest is voided, and the wallet answers terminated.
    const [voided] = (await svc.lago.walletTransactions.createWalletTransaction({ wallet_transaction: { wallet_id: wallet.lago_id, voided_credits: "4" } })).data.wallet_transactions;
    expect(voided).toMatchObject({ transaction_type: "outbound", transaction_status: "voided", amount: "4.00" });
    const terminated = (await svc.lago.wallets.destroyWallet(wallet.lago_id)).data.wallet;
    expect(terminated).toMatchObject({ status: "terminated", balance_cents: 0 });
    expect(await testDb().walletTransaction.count({ where: { walletId: wallet.lago_id, kind: "voided" } })).toBe(2);
  });
});

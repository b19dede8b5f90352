import { beforeAll, describe, expect, it } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { refreshDraftInvoice } from "@/lib/invoicing/invoice-actions";
import { currentUsage } from "@/lib/usage/current-usage";
import { createTestService, testDb, type TestService } from "../support/api-fixture";

// October 2026 in Toronto: Oct 1 and Nov 1 local midnight are both 04:00Z, so Oct 16 → Nov 1 is exactly 16 of 31 days.
const OCT_16 = "2026-10-16T04:00:00.000Z";
const CLOSE_AT = new Date("2026-11-01T12:00:00.000Z");

/**
 * One invoice pipeline: the period close, a draft's refresh and current usage rate a partial period the same way. The
 * usage window is stored on the invoice (InvoiceUsageWindow), so the refresh rates exactly what the close rated, with
 * the spending minimum prorated to the days the subscription ran (before this, the refresh charged the full minimum).
 */
describe("invoice pipeline: a partial-period draft refreshes as the close billed it", () => {
  let svc: TestService;
  let p: string;

  beforeAll(async () => {
    await testDb().companyProfile.upsert({
      where: { id: 1 },
      update: {},
      create: { id: 1, legalName: "Nexa Technologies Inc.", addressLine1: "1 Yonge St", city: "Toronto", province: "ON", postalCode: "M5E 1E5", gstHstNumber: "123456789 RT0001", qstNumber: "1234567890 TQ0001", bcPstNumber: "PST-1234-5678" },
    });
    // Shadow invoices stay drafts (never issued), whatever the company's grace period: a draft to refresh.
    svc = await createTestService("shadow");
    p = svc.code;
    const calls = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "API calls", code: `calls_${p}`, aggregation_type: "count_agg" } })).data.billable_metric;
    await svc.lago.plans.createPlan({
      plan: { name: "Minimum", code: `min_${p}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: calls.lago_id, charge_model: "standard", properties: { amount: "0.02" }, min_amount_cents: 3100 }] },
    });
    await svc.lago.customers.createCustomer({ customer: { external_id: "late", legal_name: "Late Starter Inc.", state: "ON", country: "CA", timezone: "America/Toronto" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "late", plan_code: `min_${p}`, external_id: "sub-late", subscription_at: OCT_16 } });
    const ts = Math.floor(new Date("2026-10-20T15:00:00Z").getTime() / 1000);
    await svc.lago.events.createBatchEvents({ events: Array.from({ length: 100 }, (_, i) => ({ transaction_id: `late-${i}`, external_subscription_id: "sub-late", code: `calls_${p}`, timestamp: ts + i })) });
  });

  it("stores the window, and the refresh keeps the prorated minimum the close applied", async () => {
    // Usage so far, seen on Oct 25: 100 calls × $0.02 = $2.00, minimum $31 × 16/31 = $16.00 → $14.00 true-up.
    const link = await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId: "late" } } });
    const sofar = await currentUsage(testDb(), svc.id, "late", "sub-late", new Date("2026-10-25T12:00:00Z"));
    expect(sofar.amountCents).toBe(1600n);
    expect(sofar.taxesCents).toBe(208n);

    const summary = await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id });
    expect(summary.failures).toEqual([]);
    const closed = await testDb().invoice.findFirstOrThrow({ where: { customerId: link.customerId, serviceId: svc.id }, include: { lines: { orderBy: { position: "asc" } }, usageWindows: true } });
    expect(closed).toMatchObject({ status: "draft", shadow: true, subtotalCents: 1600n, taxesCents: 208n, totalCents: 1808n });
    expect(closed.lines.map((l) => [l.kind, l.amountCents])).toEqual([["subscription_fee", 0n], ["usage_charge", 200n], ["minimum_true_up", 1400n]]);
    expect(closed.usageWindows.map((w) => [w.start.toISOString(), w.end.toISOString(), w.periodStart.toISOString(), w.periodEnd.toISOString()])).toEqual([
      [OCT_16, "2026-11-01T04:00:00.000Z", "2026-10-01T04:00:00.000Z", "2026-11-01T04:00:00.000Z"],
    ]);

    // Nothing changed: the refresh gives the same invoice, to the cent (it charged the full $31 minimum before).
    const refreshed = await refreshDraftInvoice(testDb(), closed.id);
    expect(refreshed).toMatchObject({ subtotalCents: 1600n, taxesCents: 208n, totalCents: 1808n });
    const lines = await testDb().invoiceLine.findMany({ where: { invoiceId: closed.id }, orderBy: { position: "asc" } });
    expect(lines.map((l) => [l.kind, l.amountCents])).toEqual([["subscription_fee", 0n], ["usage_charge", 200n], ["minimum_true_up", 1400n]]);

    // A late event inside the window counts on refresh, the minimum still prorated: 150 calls = $3.00, true-up $13.00.
    await svc.lago.events.createBatchEvents({ events: Array.from({ length: 50 }, (_, i) => ({ transaction_id: `late-more-${i}`, external_subscription_id: "sub-late", code: `calls_${p}`, timestamp: Math.floor(new Date("2026-10-30T15:00:00Z").getTime() / 1000) + i })) });
    const again = await refreshDraftInvoice(testDb(), closed.id);
    expect(again).toMatchObject({ subtotalCents: 1600n, taxesCents: 208n, totalCents: 1808n });
    const after = await testDb().invoiceLine.findMany({ where: { invoiceId: closed.id }, orderBy: { position: "asc" } });
    expect(after.map((l) => [l.kind, l.amountCents])).toEqual([["subscription_fee", 0n], ["usage_charge", 300n], ["minimum_true_up", 1300n]]);
  });
});

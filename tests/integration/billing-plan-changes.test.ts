import { describe, expect, it } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { createOrChangeSubscription, terminateServiceSubscription } from "@/lib/subscriptions/subscriptions";
import { createTestService, testDb } from "../support/api-fixture";

// October 2026 in Toronto has 31 days; local midnight is 04:00Z.
describe("plan changes through the billing engine (in-advance plans, Ontario HST 13 %)", () => {
  it("credits unused prepaid days on upgrade and termination, and the next invoice consumes the credit", async () => {
    const svc = await createTestService("live");
    const p = svc.code;
    for (const [code, cents] of [["small", 3100], ["large", 6200]] as const) {
      await svc.lago.plans.createPlan({ plan: { name: code, code: `${code}_${p}`, interval: "monthly", amount_cents: cents, amount_currency: "CAD", pay_in_advance: true } });
    }
    await svc.lago.customers.createCustomer({ customer: { external_id: "chg-1", legal_name: "Kingston Changes Ltd.", state: "ON", country: "CA", timezone: "America/Toronto" } });
    const service = { id: svc.id, mode: "live" as const };
    const request = { externalCustomerId: "chg-1", externalId: "chg-sub", subscriptionAt: new Date("2026-10-01T04:00:00Z") };
    await createOrChangeSubscription(testDb(), service, { ...request, planCode: `small_${p}` }, new Date("2026-10-01T04:00:00Z"));
    const customerId = (await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId: "chg-1" } } })).customerId;
    const invoices = () => testDb().invoice.findMany({ where: { customerId }, orderBy: { createdAt: "asc" }, include: { lines: { orderBy: { position: "asc" } } } });
    const notes = () => testDb().creditNote.findMany({ where: { customerId }, orderBy: { createdAt: "asc" } });

    // October in advance: $31.00 + HST $4.03 = $35.03.
    await runBillingCycle(testDb(), new Date("2026-10-01T12:00:00Z"), { serviceId: svc.id });
    let all = await invoices();
    expect(all.map((i) => i.totalCents)).toEqual([3503n]);

    // Upgrade on Oct 11: the upgrade day is unused on the old plan → 21/31 × $31 = $21.00 credited (+ HST $2.73);
    // the new plan is charged 21/31 × $62 = $42.00 (+ HST $5.46 = $47.46), from which the $23.73 credit is taken.
    await createOrChangeSubscription(testDb(), service, { ...request, planCode: `large_${p}` }, new Date("2026-10-11T16:00:00Z"));
    await runBillingCycle(testDb(), new Date("2026-10-11T17:00:00Z"), { serviceId: svc.id });
    all = await invoices();
    expect(all).toHaveLength(2);
    const upgrade = all[1];
    expect(upgrade.lines.map((l) => [l.description, l.amountCents])).toEqual([[`large — 2026-10-11 to 2026-10-31 (21 of 31 days)`, 4200n]]);
    expect({ total: upgrade.totalCents, credits: upgrade.creditsAppliedCents, status: upgrade.status }).toEqual({ total: 4746n, credits: 2373n, status: "finalized" });
    let credit = await notes();
    expect(credit.map((n) => [n.reason, n.subtotalCents, n.taxesCents, n.totalCents, n.balanceCents])).toEqual([["order_cancellation", 2100n, 273n, 2373n, 0n]]);

    // Termination on Oct 21: the termination day is used → Oct 22–31, 10/31 × $62 = $20.00 (+ HST $2.60) back as credit.
    await terminateServiceSubscription(testDb(), svc.id, "chg-sub", {}, new Date("2026-10-21T16:00:00Z"));
    await runBillingCycle(testDb(), new Date("2026-10-21T17:00:00Z"), { serviceId: svc.id });
    credit = await notes();
    expect(credit.map((n) => [n.subtotalCents, n.totalCents, n.balanceCents])).toEqual([[2100n, 2373n, 0n], [2000n, 2260n, 2260n]]);
    expect((await testDb().customer.findUniqueOrThrow({ where: { id: customerId } })).creditBalanceCents).toBe(2260n);
    expect(await invoices()).toHaveLength(2);
    // Nothing more is ever billed for these subscriptions.
    const subs = await testDb().subscription.findMany({ where: { serviceId: svc.id } });
    expect(subs.map((s) => [s.status, s.nextBillingAt])).toEqual([["terminated", null], ["terminated", null]]);
  });

  it("bills an in-arrears plan for the days used when it is terminated mid-period", async () => {
    const svc = await createTestService("live");
    const p = svc.code;
    await svc.lago.plans.createPlan({ plan: { name: "arrears", code: `arr_${p}`, interval: "monthly", amount_cents: 3100, amount_currency: "CAD", pay_in_advance: false } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "arr-1", legal_name: "Hamilton Steel Inc.", state: "ON", country: "CA", timezone: "America/Toronto" } });
    await createOrChangeSubscription(testDb(), { id: svc.id, mode: "live" }, { externalCustomerId: "arr-1", externalId: "arr-sub", planCode: `arr_${p}`, subscriptionAt: new Date("2026-10-01T04:00:00Z") }, new Date("2026-10-01T04:00:00Z"));
    await terminateServiceSubscription(testDb(), svc.id, "arr-sub", {}, new Date("2026-10-10T15:00:00Z"));
    await runBillingCycle(testDb(), new Date("2026-10-10T16:00:00Z"), { serviceId: svc.id });
    // Oct 1–10 (termination day used): 10/31 × $31 = $10.00 + HST $1.30.
    const [invoice] = await testDb().invoice.findMany({ where: { serviceId: svc.id }, include: { lines: true } });
    expect({ sub: invoice.subtotalCents, total: invoice.totalCents }).toEqual({ sub: 1000n, total: 1130n });
    expect(invoice.lines[0].description).toBe("arrears — 2026-10-01 to 2026-10-10 (10 of 31 days)");
  });
});

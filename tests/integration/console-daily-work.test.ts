import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DUNNING_SORTS, listDunningProcesses } from "@/lib/console/collections";
import { CARD_PAYMENTS_OFF, chargeInvoiceForStaff } from "@/lib/console/invoice-commands";
import { parseTableQuery } from "@/lib/console/table-query";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { createTestService, testDb, type TestService } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { staffCookies } from "../support/staff-http";

describe("collections page", () => {
  it("lists dunning processes in every sort order (Prisma refused nulls-last on non-nullable columns: a 500)", async () => {
    for (const sort of DUNNING_SORTS) {
      for (const dir of ["asc", "desc"]) {
        const query = parseTableQuery({ d_sort: sort, d_dir: dir }, "d_", { sortable: DUNNING_SORTS, defaultSort: "startedAt", defaultDesc: true });
        const page = await listDunningProcesses(testDb(), query, null);
        expect(page.total).toBeGreaterThanOrEqual(0);
      }
    }
    const res = await fetch(`${testEnv.baseUrl}/console/collections`, { headers: { Cookie: await staffCookies() } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Dunning campaign");
  });
});

describe("catching up: one billing run bills every due boundary", () => {
  let svc: TestService;
  beforeAll(async () => {
    await testDb().companyProfile.upsert({ where: { id: 1 }, update: {}, create: { id: 1, legalName: "Nexa Technologies Inc.", province: "ON", gstHstNumber: "123456789 RT0001" } });
    svc = await createTestService("live");
    await svc.lago.plans.createPlan({ plan: { name: "Monthly", code: `catch_${svc.code}`, interval: "monthly", amount_cents: 1000, amount_currency: "CAD", pay_in_advance: false } });
    for (const [id, start] of [["behind", "2026-07-01T04:00:00Z"], ["recent", "2026-10-01T04:00:00Z"]]) {
      await svc.lago.customers.createCustomer({ customer: { external_id: id, legal_name: `${id} Inc.`, state: "ON", country: "CA", timezone: "America/Toronto" } });
      await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: id, plan_code: `catch_${svc.code}`, external_id: `sub-${id}`, subscription_at: start } });
    }
  });

  it("bills July to October of a subscription four periods behind in one run, beside one that is one period behind", async () => {
    const summary = await runBillingCycle(testDb(), new Date("2026-11-01T12:00:00Z"), { serviceId: svc.id });
    expect(summary.failures).toEqual([]);
    const behind = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: "sub-behind" }, include: { invoiceLines: { include: { invoice: true } } } });
    const periods = behind.invoiceLines.map((l) => l.invoice.periodStart.toISOString()).sort();
    expect(periods).toEqual(["2026-07-01T04:00:00.000Z", "2026-08-01T04:00:00.000Z", "2026-09-01T04:00:00.000Z", "2026-10-01T04:00:00.000Z"]);
    expect(behind.nextBillingAt?.toISOString()).toBe("2026-12-01T05:00:00.000Z");
    expect(summary).toMatchObject({ subscriptionsBilled: 5, invoicesCreated: 5 });
    const again = await runBillingCycle(testDb(), new Date("2026-11-01T12:00:00Z"), { serviceId: svc.id });
    expect(again).toMatchObject({ subscriptionsBilled: 0, invoicesCreated: 0 });
  });
});

describe("Charge card now without Stripe keys", () => {
  const saved = { key: process.env.STRIPE_SECRET_KEY };
  afterEach(() => {
    process.env.STRIPE_SECRET_KEY = saved.key;
  });

  it("says that card payments are off and records no attempt", async () => {
    const svc = await createTestService("live");
    await svc.lago.plans.createPlan({ plan: { name: "Monthly", code: `off_${svc.code}`, interval: "monthly", amount_cents: 1000, amount_currency: "CAD", pay_in_advance: false } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "off", legal_name: "Offline Inc.", state: "ON", country: "CA", timezone: "America/Toronto" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "off", plan_code: `off_${svc.code}`, external_id: "sub-off", subscription_at: "2026-10-01T04:00:00Z" } });
    await runBillingCycle(testDb(), new Date("2026-11-01T12:00:00Z"), { serviceId: svc.id });
    const invoice = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id } });
    expect(invoice.status).toBe("finalized");

    delete process.env.STRIPE_SECRET_KEY;
    const result = await chargeInvoiceForStaff(testDb(), invoice.id);
    expect(result).toEqual({ ok: false, message: CARD_PAYMENTS_OFF });
    expect(result.message).toMatch(/^Card payments are off/);
    expect(await testDb().payment.count({ where: { invoiceId: invoice.id } })).toBe(0);
  });
});

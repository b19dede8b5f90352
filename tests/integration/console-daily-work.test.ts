import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DUNNING_SORTS, listDunningProcesses } from "@/lib/console/collections";
import { CARD_PAYMENTS_OFF, chargeInvoiceForStaff } from "@/lib/console/invoice-commands";
import { parseTableQuery } from "@/lib/console/table-query";
import { invoiceDocument } from "@/lib/documents/ledger-documents";
import { renderBillingDocumentPdf } from "@/lib/documents/render-pdf";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { createTestService, testDb, type TestService } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { staffCookies } from "../support/staff-http";
import { inspectPdf } from "../unit/documents/pdf-inspect";

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

describe("how usage was priced, on the invoice page and the PDF alike", () => {
  it("lists units, included units and each tier with its range and price; the open tier reads '101 and above'", async () => {
    const svc = await createTestService("live");
    const p = svc.code;
    const calls = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "API calls", code: `calls_${p}`, aggregation_type: "count_agg" } })).data.billable_metric;
    await svc.lago.plans.createPlan({
      plan: { name: "Tiered", code: `tier_${p}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: calls.lago_id, charge_model: "graduated", included_quantity: "50", properties: { graduated_ranges: [
          { from_value: 0, to_value: 100, per_unit_amount: "0.01", flat_amount: "0" },
          { from_value: 101, to_value: null, per_unit_amount: "0.005", flat_amount: "2" },
        ] } }] },
    });
    await svc.lago.customers.createCustomer({ customer: { external_id: "tiers", legal_name: "Tiers Inc.", state: "AB", country: "CA", timezone: "America/Toronto" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "tiers", plan_code: `tier_${p}`, external_id: "sub-tiers", subscription_at: "2026-10-01T04:00:00Z" } });
    const pushed = await svc.call("/usage", { method: "POST", json: { usage: { external_subscription_id: "sub-tiers", code: `calls_${p}`, period_start: "2026-10-01T04:00:00Z", period_end: "2026-10-31T12:00:00Z", value: 350, idempotency_key: "oct" } } });
    expect(pushed.status).toBe(200);
    await runBillingCycle(testDb(), new Date("2026-11-01T12:00:00Z"), { serviceId: svc.id });
    const invoice = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id } });

    // 350 calls, 50 included: 300 billed; tier 0–100: 100 × $0.01 = $1.00; tier 101+: 200 × $0.005 + $2 = $3.00.
    const expected = ["350 units, 50 included in the plan: 300 billed", "Tier 0–100: 100 × $0.01 = $1.00", "Tier 101 and above: 200 × $0.005 + $2.00 flat = $3.00"];
    const document = await invoiceDocument(testDb(), invoice.id);
    const usage = document.lines.find((l) => l.quantity === "350")!;
    expect(usage.details.slice(1)).toEqual(expected);

    const pdf = inspectPdf(await renderBillingDocumentPdf(document, { compress: false }));
    const text = pdf.pages.flatMap((page) => page.runs.map((run) => run.text)).join(" ");
    expect(text).toContain("Tier 101 and above: 200 × $0.005 + $2.00 flat = $3.00");
    expect(text).not.toMatch(/infinity|∞/);

    const html = await (await fetch(`${testEnv.baseUrl}/console/invoices/${invoice.id}`, { headers: { Cookie: await staffCookies() } })).text();
    for (const line of expected) expect(html).toContain(line.replace(/&/g, "&amp;"));
  });
});

describe("CSV exports of the console's lists", () => {
  it("export every row the list's filters match (all pages), staff only", async () => {
    const cookies = await staffCookies();
    expect((await fetch(`${testEnv.baseUrl}/console/customers/export`)).status).toBe(401);
    for (const list of ["customers", "services", "metrics", "plans", "invoices", "collections", "imports"]) {
      const res = await fetch(`${testEnv.baseUrl}/console/${list}/export`, { headers: { Cookie: cookies } });
      expect(res.status, list).toBe(200);
      expect(res.headers.get("content-type"), list).toContain("text/csv");
    }
    // The catching-up customer above has four finalized invoices; a page of two still exports all four.
    const csv = await (await fetch(`${testEnv.baseUrl}/console/invoices/export?status=finalized&i_q=behind%20Inc.&i_size=2`, { headers: { Cookie: cookies } })).text();
    const lines = csv.replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toBe("id,number,status,shadow,service,customer,periodStart,periodEnd,totalCents,currency,timezone");
    expect(lines).toHaveLength(5);
    expect(lines.slice(1).every((line) => line.includes(",finalized,") && line.includes(",behind Inc.,"))).toBe(true);
  });
});

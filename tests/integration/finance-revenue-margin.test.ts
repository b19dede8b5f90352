import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costBody } from "@/lib/api/schemas/cost";
import { recordProviderCosts } from "@/lib/costs/provider-costs";
import { applyMigrations } from "@/lib/db/migrations";
import { createPrismaClient, type Db } from "@/lib/db/prisma";
import { issueCreditNote } from "@/lib/invoicing/credit-notes";
import { marginCsv, marginPercent, marginReport } from "@/lib/reports/margin";
import { mrrCsv, revenueCsv, revenueReport } from "@/lib/reports/revenue";
import { domainRefusal } from "../support/domain-fixture";
import { testEnv } from "../support/env";
import { createFreshDatabase } from "../support/test-database";

// The revenue, MRR and margin reports against a ledger written by hand in a database of their own; every expected
// figure below is computed by hand in the comments.
const c = (n: number) => BigInt(n);
const at = (iso: string) => new Date(iso);

describe("revenue by service, plan and month; MRR movements; margin", () => {
  let db: Db;
  const ids = {} as Record<"cloud" | "chat" | "a" | "b" | "c" | "d" | "e" | "pro" | "team" | "yearly" | "weekly", string>;

  beforeAll(async () => {
    const url = await createFreshDatabase(testEnv.adminUrl, "nexa_revenue_margin");
    await applyMigrations(url);
    db = createPrismaClient(url);
    const cloud = await db.service.create({ data: { code: "cloud", name: "Cloud", mode: "live" } });
    const chat = await db.service.create({ data: { code: "chat", name: "Chat", mode: "live" } });
    Object.assign(ids, { cloud: cloud.id, chat: chat.id });
    const plan = (serviceId: string, code: string, name: string, interval: "monthly" | "yearly" | "weekly", amount: number) =>
      db.plan.create({ data: { serviceId, code, name, interval, amountCents: c(amount) } });
    ids.pro = (await plan(cloud.id, "pro", "Pro", "monthly", 10000)).id; //         $100.00 a month
    ids.team = (await plan(cloud.id, "team", "Team", "monthly", 30000)).id; //      $300.00 a month
    ids.yearly = (await plan(chat.id, "chat_y", "Chat yearly", "yearly", 120000)).id; // $1,200 a year = $100.00 a month
    ids.weekly = (await plan(chat.id, "chat_w", "Chat weekly", "weekly", 1000)).id; // $10 × 52 / 12 = $43.3333 → $43.33
    const customer = async (key: "a" | "b" | "c" | "d" | "e", legalName: string, timezone = "America/Toronto") => {
      ids[key] = (await db.customer.create({ data: { legalName, province: "ON", timezone } })).id;
    };
    await customer("a", "A Co.");
    await customer("b", "B Co.");
    await customer("c", "C Co.", "America/Vancouver");
    await customer("d", "D Co.");
    await customer("e", "E Co.");
    for (const [serviceId, key] of [[cloud.id, "a"], [cloud.id, "b"], [cloud.id, "d"], [cloud.id, "e"], [chat.id, "c"]] as const) {
      await db.accountLink.create({ data: { serviceId, externalId: `ext-${key}`, customerId: ids[key] } });
    }
    let n = 0;
    const subscription = (customerId: string, serviceId: string, planId: string, started: string, terminated?: string, shadow = false) =>
      db.subscription.create({
        data: {
          externalId: `sub-${++n}`, customerId, serviceId, planId, shadow, status: terminated ? "terminated" : "active",
          billingAnchorDate: at(started), subscriptionAt: at(started), startedAt: at(started), terminatedAt: terminated ? at(terminated) : null,
        },
      });
    // A upgrades Pro → Team on November 10; B starts Pro in October and churns on November 20; D downgrades Team → Pro
    // on November 15; C has chat yearly since August and adds chat weekly at 23:30 on October 31 in Toronto (03:30 UTC
    // on November 1: before the month's first instant, 04:00 UTC, so it counts at the end of October).
    const aPro = await subscription(ids.a, cloud.id, ids.pro, "2026-09-15T12:00:00Z", "2026-11-10T12:00:00Z");
    const aTeam = await subscription(ids.a, cloud.id, ids.team, "2026-11-10T12:00:00Z");
    const bPro = await subscription(ids.b, cloud.id, ids.pro, "2026-10-05T12:00:00Z", "2026-11-20T12:00:00Z");
    const dTeam = await subscription(ids.d, cloud.id, ids.team, "2026-09-01T12:00:00Z", "2026-11-15T12:00:00Z");
    await subscription(ids.d, cloud.id, ids.pro, "2026-11-15T12:00:00Z");
    const cYearly = await subscription(ids.c, chat.id, ids.yearly, "2026-08-01T12:00:00Z");
    const cWeekly = await subscription(ids.c, chat.id, ids.weekly, "2026-11-01T03:30:00Z");
    await subscription(ids.a, cloud.id, ids.team, "2026-09-01T12:00:00Z", undefined, true); // shadow: never MRR

    let number = 0;
    const invoice = async (customerId: string, serviceId: string, issued: string, lines: { subscriptionId?: string; kind: "subscription_fee" | "usage_charge" | "proration_credit" | "one_off"; amount: number }[], opts: { status?: "finalized" | "paid" | "voided"; shadow?: boolean } = {}) => {
      const subtotal = lines.reduce((s, l) => s + l.amount, 0);
      return db.invoice.create({
        data: {
          number: opts.shadow ? null : `INV-R-${String(++number).padStart(3, "0")}`, customerId, serviceId, status: opts.status ?? "finalized", shadow: opts.shadow ?? false,
          periodStart: at(`${issued}T04:00:00Z`), periodEnd: at(`${issued}T04:00:00Z`), issuingDate: at(`${issued}T00:00:00Z`), paymentDueDate: at(`${issued}T00:00:00Z`),
          subtotalCents: c(subtotal), totalCents: c(subtotal), finalizedAt: at(`${issued}T12:00:00Z`),
          lines: { create: lines.map((l, position) => ({ kind: l.kind, description: l.kind, amountCents: c(l.amount), subscriptionId: l.subscriptionId ?? null, position })) },
        },
        include: { lines: { orderBy: { position: "asc" } } },
      });
    };
    const i1 = await invoice(ids.a, cloud.id, "2026-10-01", [{ subscriptionId: aPro.id, kind: "subscription_fee", amount: 10000 }, { kind: "one_off", amount: 2500 }], { status: "paid" });
    const i2 = await invoice(ids.b, cloud.id, "2026-10-05", [{ subscriptionId: bPro.id, kind: "subscription_fee", amount: 10000 }]);
    const i3 = await invoice(ids.c, chat.id, "2026-10-31", [{ subscriptionId: cYearly.id, kind: "subscription_fee", amount: 120000 }, { subscriptionId: cWeekly.id, kind: "usage_charge", amount: 4567 }]);
    await invoice(ids.a, cloud.id, "2026-11-10", [{ subscriptionId: aPro.id, kind: "proration_credit", amount: -6667 }, { subscriptionId: aTeam.id, kind: "subscription_fee", amount: 30000 }]);
    const i7 = await invoice(ids.d, cloud.id, "2026-11-01", [{ subscriptionId: dTeam.id, kind: "subscription_fee", amount: 30000 }]);
    await invoice(ids.a, cloud.id, "2026-11-12", [{ subscriptionId: aTeam.id, kind: "subscription_fee", amount: 50000 }], { status: "voided" });
    await invoice(ids.a, cloud.id, "2026-11-12", [{ subscriptionId: aTeam.id, kind: "subscription_fee", amount: 70000 }], { shadow: true });
    await invoice(ids.a, cloud.id, "2026-12-01", [{ subscriptionId: aTeam.id, kind: "subscription_fee", amount: 30000 }]);

    const credit = (invoiceId: string, amount: number, when: string, invoiceLineId?: string) =>
      db.$transaction((tx) => issueCreditNote(tx, { invoiceId, reason: "other", kind: "credit", items: [{ amountCents: c(amount), description: "Credit", invoiceLineId }] }, at(when)));
    // The one-off line of I1, at 23:30 on October 31 in Toronto (A's timezone): October, no plan.
    await credit(i1.id, 2500, "2026-11-01T03:30:00Z", i1.lines[1].id);
    // Unlinked, on an invoice with one plan (Pro): November, Pro.
    await credit(i2.id, 1000, "2026-11-20T15:00:00Z");
    // Unlinked, on an invoice with two plans: 20:30 on November 30 in Vancouver (C's timezone) is December 1 in UTC: November, no plan.
    await credit(i3.id, 567, "2026-12-01T04:30:00Z");

    // Collected: I1 by card on October 2; I2 by card at 23:00 on October 31 in Toronto (03:00 UTC November 1): October;
    // a $11.30 refund of it on November 21; D's cheque for I7 received November 25, reversed at 00:30 on December 1 in Toronto.
    await db.payment.create({ data: { customerId: ids.a, invoiceId: i1.id, amountCents: c(12500), status: "succeeded", provider: "stripe", idempotencyKey: "rev-p1", createdAt: at("2026-10-02T15:00:00Z") } });
    const p2 = await db.payment.create({ data: { customerId: ids.b, invoiceId: i2.id, amountCents: c(10000), status: "succeeded", provider: "stripe", idempotencyKey: "rev-p2", createdAt: at("2026-11-01T03:00:00Z") } });
    await db.refund.create({ data: { paymentId: p2.id, amountCents: c(1130), providerRefundId: "re_rev_1", createdAt: at("2026-11-21T15:00:00Z") } });
    await db.payment.create({ data: { customerId: ids.b, invoiceId: i2.id, amountCents: c(999), status: "failed", provider: "stripe", idempotencyKey: "rev-p3", createdAt: at("2026-10-20T15:00:00Z") } });
    const receipt = await db.paymentReceipt.create({ data: { customerId: ids.d, method: "cheque", reference: "881", amountCents: c(30000), receivedOn: at("2026-11-25T00:00:00Z"), reversedAt: at("2026-12-01T05:30:00Z"), reversalReason: "NSF" } });
    await db.payment.create({ data: { customerId: ids.d, invoiceId: i7.id, amountCents: c(30000), status: "canceled", failureCode: "reversed", provider: "cheque", trigger: "offline", receiptId: receipt.id, idempotencyKey: "rev-p4" } });

    // Provider costs, through the API's own schema (which turns a timestamp into its day in Toronto).
    const cost = (serviceId: string, body: Record<string, unknown>) => recordProviderCosts(db, serviceId, [costBody.parse({ amount_currency: "CAD", ...body })]);
    await cost(cloud.id, { external_customer_id: "ext-a", date: "2026-10-15", cost_type: "compute", amount_cents: 4000, idempotency_key: "a-1" });
    // 23:30 on October 31 in Toronto: October.
    await cost(cloud.id, { external_customer_id: "ext-a", timestamp: "2026-11-01T03:30:00Z", cost_type: "compute", amount_cents: 1000, idempotency_key: "a-2" });
    // 00:30 on November 1 in Toronto: November.
    await cost(cloud.id, { external_customer_id: "ext-a", timestamp: "2026-11-01T04:30:00Z", cost_type: "compute", amount_cents: 2000, idempotency_key: "a-3" });
    await cost(chat.id, { external_customer_id: "ext-c", date: "2026-11-30", cost_type: "model_tokens", amount_cents: 50000, idempotency_key: "c-1" });
    await cost(chat.id, { external_customer_id: "ext-c", date: "2026-12-01", cost_type: "model_tokens", amount_cents: 9999, idempotency_key: "c-2" });
    await cost(cloud.id, { external_customer_id: "ext-d", date: "2026-11-03", cost_type: "sms", amount_cents: 45000, idempotency_key: "d-1" });
    await cost(cloud.id, { external_customer_id: "ext-e", date: "2026-10-20", cost_type: "compute", amount_cents: 700, idempotency_key: "e-1" });
  });
  afterAll(async () => db?.$disconnect());

  it("revenue by month, service and plan: invoiced, credited and collected, tied to the invoices' subtotals", async () => {
    const report = await revenueReport(db, "2026-10", "2026-11");
    const rows = report.rows.map((r) => [r.month, r.service, r.plan, r.invoicedCents, r.creditedCents, r.netCents, r.collectedCents]);
    expect(rows).toEqual([
      ["2026-10", "Chat", "Chat weekly (chat_w)", c(4567), c(0), c(4567), c(0)],
      ["2026-10", "Chat", "Chat yearly (chat_y)", c(120000), c(0), c(120000), c(0)],
      // I1 is paid by card but has two plans (Pro and a one-off line): its payment belongs to no single plan.
      ["2026-10", "Cloud", "Pro (pro)", c(20000), c(0), c(20000), c(10000)],
      ["2026-10", "Cloud", "No plan", c(2500), c(2500), c(0), c(12500)],
      ["2026-11", "Chat", "No plan", c(0), c(567), c(-567), c(0)],
      ["2026-11", "Cloud", "Pro (pro)", c(-6667), c(1000), c(-7667), c(-1130)],
      ["2026-11", "Cloud", "Team (team)", c(60000), c(0), c(60000), c(30000)],
    ]);
    expect(report.byMonth).toEqual([
      { month: "2026-10", invoicedCents: c(147067), creditedCents: c(2500), netCents: c(144567), collectedCents: c(22500) },
      { month: "2026-11", invoicedCents: c(53333), creditedCents: c(1567), netCents: c(51766), collectedCents: c(28870) },
    ]);
    expect(report.totals).toEqual({ invoicedCents: c(200400), creditedCents: c(4067), netCents: c(196333), collectedCents: c(51370) });
    // Tied to the ledger: the invoiced total is the stored subtotals of the months' invoices, computed in SQL.
    const [tie] = await db.$queryRaw<{ subtotal: bigint; credited: bigint }[]>`
      SELECT (SELECT sum("subtotalCents") FROM "Invoice" WHERE status IN ('finalized', 'paid') AND NOT shadow AND "issuingDate" BETWEEN '2026-10-01' AND '2026-11-30')::bigint AS subtotal,
             (SELECT sum(cn."subtotalCents") FROM "CreditNote" cn JOIN "Customer" cu ON cu.id = cn."customerId"
               WHERE (cn."issuedAt" AT TIME ZONE cu.timezone)::date BETWEEN '2026-10-01' AND '2026-11-30')::bigint AS credited`;
    expect([tie.subtotal, tie.credited]).toEqual([report.totals.invoicedCents, report.totals.creditedCents]);

    const csv = revenueCsv(report).split("\r\n");
    expect(csv[0]).toBe("month,service,plan,invoiced,credited,net_revenue,collected");
    expect(csv).toContain("2026-11,Cloud,Pro (pro),-66.67,10.00,-76.67,-11.30");
    // One service only.
    const chat = await revenueReport(db, "2026-10", "2026-11", { serviceId: ids.chat });
    expect(chat.totals).toEqual({ invoicedCents: c(124567), creditedCents: c(567), netCents: c(124000), collectedCents: c(0) });
  });

  it("MRR movements: new, expansion, contraction and churn per service and month, the Toronto month boundary included", async () => {
    const { mrr } = await revenueReport(db, "2026-10", "2026-11");
    const rows = mrr.map((m) => [m.month, m.service, m.openingCents, m.newCents, m.expansionCents, m.contractionCents, m.churnCents, m.closingCents]);
    expect(rows).toEqual([
      // October: Cloud opens with A (Pro 100) and D (Team 300); B is new. Chat opens with C's yearly plan (1,200 / 12);
      // C's weekly plan started at 23:30 on October 31 in Toronto: expansion of 43.33 in October.
      ["2026-10", "Chat", c(10000), c(0), c(4333), c(0), c(0), c(14333)],
      ["2026-10", "Cloud", c(40000), c(10000), c(0), c(0), c(0), c(50000)],
      ["2026-10", "All services", c(50000), c(10000), c(4333), c(0), c(0), c(64333)],
      // November: A 100 → 300 (expansion 200), D 300 → 100 (contraction 200), B churns (100).
      ["2026-11", "Chat", c(14333), c(0), c(0), c(0), c(0), c(14333)],
      ["2026-11", "Cloud", c(50000), c(0), c(20000), c(20000), c(10000), c(40000)],
      ["2026-11", "All services", c(64333), c(0), c(20000), c(20000), c(10000), c(54333)],
    ]);
    for (const m of mrr) expect(m.openingCents + m.newCents + m.expansionCents - m.contractionCents - m.churnCents).toBe(m.closingCents);
    expect(mrrCsv({ mrr } as never).split("\r\n")).toContain("2026-11,All services,643.33,0.00,200.00,200.00,100.00,543.33");
  });

  it("margin per service, customer and month, with costs on both sides of a Toronto midnight", async () => {
    const report = await marginReport(db, "2026-10", "2026-11");
    const rows = report.rows.map((r) => [r.month, r.service, r.customer, r.revenueCents, r.costCents, r.marginCents, r.marginPercent]);
    expect(rows).toEqual([
      ["2026-10", "Chat", "C Co.", c(124567), c(0), c(124567), "100.00"],
      // A: 125.00 invoiced − 25.00 credited; costs 40.00 on October 15 + 10.00 at 23:30 October 31 in Toronto.
      ["2026-10", "Cloud", "A Co.", c(10000), c(5000), c(5000), "50.00"],
      ["2026-10", "Cloud", "B Co.", c(10000), c(0), c(10000), "100.00"],
      // A cost without revenue: no margin %.
      ["2026-10", "Cloud", "E Co.", c(0), c(700), c(-700), null],
      // The December 1 cost (99.99) is outside the months.
      ["2026-11", "Chat", "C Co.", c(-567), c(50000), c(-50567), null],
      // 213.33 / 233.33 = 91.4285… % → 91.43 %; the cost at 00:30 November 1 in Toronto is November's.
      ["2026-11", "Cloud", "A Co.", c(23333), c(2000), c(21333), "91.43"],
      ["2026-11", "Cloud", "B Co.", c(-1000), c(0), c(-1000), null],
      ["2026-11", "Cloud", "D Co.", c(30000), c(45000), c(-15000), "-50.00"],
    ]);
    // Revenue ties to the revenue report's net revenue.
    expect(report.totals).toEqual({ revenueCents: c(196333), costCents: c(102700), marginCents: c(93633), marginPercent: "47.69" });
    expect(report.byService.map((s) => [s.service, s.revenueCents, s.costCents, s.marginCents, s.marginPercent])).toEqual([
      ["Chat", c(124000), c(50000), c(74000), "59.68"],
      ["Cloud", c(72333), c(52700), c(19633), "27.14"],
    ]);
    expect(report.byMonth.map((m) => [m.month, m.revenueCents, m.costCents, m.marginPercent])).toEqual([["2026-10", c(144567), c(5700), "96.06"], ["2026-11", c(51766), c(97000), "-87.38"]]);
    expect(report.rows.find((r) => r.customer === "A Co." && r.month === "2026-10")!.costsByType).toEqual({ compute: c(5000) });

    const csv = marginCsv(report).split("\r\n");
    expect(csv[0]).toBe("month,service,customer,revenue,cost,margin,margin_percent,costs_by_type");
    expect(csv).toContain("2026-11,Cloud,D Co.,300.00,450.00,-150.00,-50.00,sms=450.00");
    expect(csv).toContain("2026-10,Cloud,E Co.,0.00,7.00,-7.00,,compute=7.00");

    const onlyA = await marginReport(db, "2026-11", "2026-11", { customerId: ids.a });
    expect(onlyA.rows.map((r) => [r.customer, r.revenueCents, r.costCents])).toEqual([["A Co.", c(23333), c(2000)]]);
  });

  it("margin % rounds half away from zero in integer arithmetic", () => {
    expect([marginPercent(c(1), c(3)), marginPercent(c(2), c(3)), marginPercent(c(-1), c(3)), marginPercent(c(1), c(80000)), marginPercent(c(1), c(0))]).toEqual(["33.33", "66.67", "-33.33", "0.00", null]);
    expect(marginPercent(c(1), c(40000))).toBe("0.00"); // 0.0025 % → 0.00
    expect(marginPercent(c(1), c(20000))).toBe("0.01"); // 0.005 % → 0.01
  });

  it("costs are idempotent per service and reach only the service's own customers", async () => {
    const body = { external_customer_id: "ext-a", date: "2026-10-15", cost_type: "compute", amount_cents: 4000, amount_currency: "CAD", idempotency_key: "a-1" };
    const [again] = await recordProviderCosts(db, ids.cloud, [costBody.parse(body)]);
    expect(again).toMatchObject({ duplicate: true, amountCents: c(4000), date: "2026-10-15" });
    const changed = await domainRefusal(recordProviderCosts(db, ids.cloud, [costBody.parse({ ...body, amount_cents: 4001 })]));
    expect([changed.kind, changed.code]).toEqual(["conflict", "idempotency_key_conflict"]);
    // C is a customer of Chat, not of Cloud.
    const foreign = await domainRefusal(recordProviderCosts(db, ids.cloud, [costBody.parse({ ...body, external_customer_id: "ext-c", idempotency_key: "x-1" })]));
    expect([foreign.kind, foreign.code]).toEqual(["not_found", "customer_not_found"]);
    const usd = await domainRefusal(recordProviderCosts(db, ids.cloud, [costBody.parse({ ...body, amount_currency: "USD", idempotency_key: "x-2" })]));
    expect(usd.details).toEqual({ amount_currency: ["currency_mismatch"] });
    // A batch with one conflicting key stores nothing, not even its new costs.
    const before = await db.providerCost.count();
    const batch = await domainRefusal(recordProviderCosts(db, ids.cloud, [costBody.parse({ ...body, idempotency_key: "new-1" }), costBody.parse({ ...body, amount_cents: 1 })]));
    expect(batch.details).toEqual({ 1: { idempotency_key: ["idempotency_key_conflict"] } });
    expect(await db.providerCost.count()).toBe(before);
    // The same key in another service is another cost.
    await db.accountLink.create({ data: { serviceId: ids.chat, externalId: "ext-a", customerId: ids.a } });
    const [other] = await recordProviderCosts(db, ids.chat, [costBody.parse({ ...body, amount_cents: 1, date: "2027-01-05" })]);
    expect(other.duplicate).toBe(false);
  });
});

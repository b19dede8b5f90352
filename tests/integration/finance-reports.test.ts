import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "@/lib/db/migrations";
import { createPrismaClient, type Db } from "@/lib/db/prisma";
import { issueCreditNote } from "@/lib/invoicing/credit-notes";
import { arAging, arAgingCsv } from "@/lib/reports/ar-aging";
import { dashboard } from "@/lib/reports/dashboard";
import { journal, journalCsv, parseAccountOverrides } from "@/lib/reports/journal";
import { salesTaxCsv, salesTaxReport } from "@/lib/reports/sales-tax";
import { testEnv } from "../support/env";
import { createFreshDatabase } from "../support/test-database";

// Reports read the whole ledger: each suite gets a database of its own with a ledger written by hand.
const c = (n: number) => BigInt(n);
const GST_HST = "123456789 RT0001";
const QST = "1234567890 TQ0001";
const BC_PST = "PST-1234-5678";

interface Tax { code: string; name: string; rate: string; amount: number; registration: string }

async function ledger(prefix: string) {
  const url = await createFreshDatabase(testEnv.adminUrl, prefix);
  await applyMigrations(url);
  const db = createPrismaClient(url);
  const [cloud, chat] = await Promise.all([
    db.service.create({ data: { code: "cloud", name: "Cloud", mode: "live" } }),
    db.service.create({ data: { code: "chat", name: "Chat", mode: "live" } }),
  ]);
  let sequence = 0;
  const customer = (legalName: string, province: string | null, country = "CA", extra: object = {}) =>
    db.customer.create({ data: { legalName, province, country, timezone: "America/Toronto", ...extra } });
  const invoice = async (customerId: string, opts: { issued: string; subtotal: number; taxes?: Tax[]; note?: string; status?: "finalized" | "paid" | "voided"; due?: string; paid?: number; service?: string; province?: string | null; currency?: string }) => {
    const taxes = opts.taxes ?? [];
    const taxTotal = taxes.reduce((s, t) => s + t.amount, 0);
    sequence += 1;
    return db.invoice.create({
      data: {
        number: `INV-T-${String(sequence).padStart(4, "0")}`, customerId, serviceId: opts.service ?? cloud.id, status: opts.status ?? "finalized", currency: opts.currency ?? "CAD",
        periodStart: new Date(`${opts.issued}T04:00:00Z`), periodEnd: new Date(`${opts.issued}T04:00:00Z`), issuingDate: new Date(`${opts.issued}T00:00:00Z`),
        paymentDueDate: new Date(`${opts.due ?? opts.issued}T00:00:00Z`), finalizedAt: new Date(`${opts.issued}T12:00:00Z`),
        subtotalCents: c(opts.subtotal), taxesCents: c(taxTotal), totalCents: c(opts.subtotal + taxTotal), amountPaidCents: c(opts.paid ?? 0), taxNote: opts.note ?? null,
        billedTo: opts.province === undefined ? undefined : { legalName: "x", province: opts.province, country: "CA" },
        lines: { create: [{ kind: "one_off", description: "Service", amountCents: c(opts.subtotal) }] },
        taxes: { create: taxes.map((t) => ({ code: t.code, name: t.name, rate: t.rate, taxableAmountCents: c(opts.subtotal), amountCents: c(t.amount), registrationNumber: t.registration })) },
      },
    });
  };
  return { db, cloud, chat, customer, invoice };
}

const hst = (rate: string, amount: number): Tax => ({ code: "HST", name: "HST", rate, amount, registration: GST_HST });
const gst = (amount: number): Tax => ({ code: "GST", name: "GST", rate: "5", amount, registration: GST_HST });

describe("sales tax report for a quarter, tied to the ledger", () => {
  let db: Db;
  beforeAll(async () => {
    const l = await ledger("nexa_tax_report");
    db = l.db;
    const on = await l.customer("Ontario Co.", "ON");
    const qc = await l.customer("Québec Cie", "QC");
    const ns = await l.customer("Nova Scotia Ltd.", "NS");
    const bc = await l.customer("BC Ltd.", "BC");
    const us = await l.customer("US LLC", "WA", "US");
    const exempt = await l.customer("Exempt Band", "ON", "CA", { taxExempt: true, taxExemptionNumber: "EX-1" });
    const i1 = await l.invoice(on.id, { issued: "2026-10-05", subtotal: 10000, taxes: [hst("13", 1300)], province: "ON" });
    const i2 = await l.invoice(qc.id, { issued: "2026-11-10", subtotal: 20000, taxes: [gst(1000), { code: "QST", name: "QST", rate: "9.975", amount: 1995, registration: QST }], province: "QC" });
    // 100.01 × 14 % = 14.0014 → 14.00 (the last day of the quarter is in it).
    await l.invoice(ns.id, { issued: "2026-12-31", subtotal: 10001, taxes: [hst("14", 1400)], province: "NS" });
    await l.invoice(on.id, { issued: "2027-01-01", subtotal: 5000, taxes: [hst("13", 650)], province: "ON" });
    const september = await l.invoice(on.id, { issued: "2026-09-30", subtotal: 7000, taxes: [hst("13", 910)], province: "ON" });
    const i6 = await l.invoice(us.id, { issued: "2026-11-01", subtotal: 30000, note: "Zero-rated: customer outside Canada" });
    await l.invoice(exempt.id, { issued: "2026-11-02", subtotal: 4000, note: "Tax exempt (exemption EX-1)" });
    await l.invoice(bc.id, { issued: "2026-10-20", subtotal: 10000, taxes: [gst(500), { code: "BC_PST", name: "PST", rate: "7", amount: 700, registration: BC_PST }], province: "BC" });
    await l.invoice(on.id, { issued: "2026-10-06", subtotal: 99900, taxes: [hst("13", 12987)], status: "voided", province: "ON" });
    const note = (invoiceId: string, amount: number, at: string) =>
      db.$transaction((tx) => issueCreditNote(tx, { invoiceId, reason: "other", kind: "credit", items: [{ amountCents: c(amount), description: "Credit" }] }, new Date(at)));
    // A September invoice credited in October: the adjustment belongs to the quarter it was issued in.
    await note(september.id, 1000, "2026-10-15T15:00:00Z");
    // 23:30 on December 31 in Toronto is already January 1 in UTC: still the fourth quarter. GST 33.33 × 5 % = 1.6665 → 1.67;
    // QST 33.33 × 9.975 % = 3.3246675 → 3.32.
    await note(i2.id, 3333, "2027-01-01T04:30:00Z");
    // 00:30 on January 1 in Toronto: next quarter.
    await note(i1.id, 500, "2027-01-01T05:30:00Z");
    await note(i6.id, 2000, "2026-11-20T15:00:00Z");
  });
  afterAll(async () => db?.$disconnect());

  it("gives each tax, province and registration to the cent, with credit notes in the period they were issued", async () => {
    const report = await salesTaxReport(db, "2026-10-01", "2026-12-31");
    const rows = report.rows.map((r) => [r.code, r.province, r.ratePercent, r.registrationNumber, r.invoicedTaxableCents, r.invoicedTaxCents, r.creditedTaxableCents, r.creditedTaxCents, r.netTaxableCents, r.netTaxCents]);
    expect(rows).toEqual([
      ["BC_PST", "BC", "7", BC_PST, c(10000), c(700), c(0), c(0), c(10000), c(700)],
      ["GST", null, "5", GST_HST, c(30000), c(1500), c(3333), c(167), c(26667), c(1333)],
      ["HST", "NS", "14", GST_HST, c(10001), c(1400), c(0), c(0), c(10001), c(1400)],
      ["HST", "ON", "13", GST_HST, c(10000), c(1300), c(1000), c(130), c(9000), c(1170)],
      ["QST", "QC", "9.975", QST, c(20000), c(1995), c(3333), c(332), c(16667), c(1663)],
    ]);
    expect(report.sales).toEqual({
      taxableCents: c(50001), zeroRatedCents: c(30000), exemptCents: c(4000),
      creditedTaxableCents: c(4333), creditedZeroRatedCents: c(2000), creditedExemptCents: c(0), netCents: c(77668),
    });
    expect(report.invoiceCount).toBe(6);
    expect(report.creditNoteCount).toBe(3);
    expect(report.returns.gstHst).toEqual({ line101SalesCents: c(77668), line103TaxCollectedCents: c(4200), line107AdjustmentsCents: c(297), netTaxCents: c(3903), registrationNumbers: [GST_HST] });
    expect(report.returns.qst).toEqual({ salesCents: c(16667), line203TaxCollectedCents: c(1995), adjustmentsCents: c(332), netTaxCents: c(1663), registrationNumbers: [QST] });
    expect(report.totals).toEqual({ invoicedTaxCents: c(6895), creditedTaxCents: c(629), netTaxCents: c(6266) });

    // Tied to the ledger's own stored totals, computed independently in SQL.
    const [tie] = await db.$queryRaw<{ invoiced: bigint; credited: bigint }[]>`
      SELECT (SELECT sum("taxesCents") FROM "Invoice" WHERE status IN ('finalized', 'paid') AND "issuingDate" BETWEEN '2026-10-01' AND '2026-12-31')::bigint AS invoiced,
             (SELECT sum(cn."taxesCents") FROM "CreditNote" cn JOIN "Customer" cu ON cu.id = cn."customerId"
               WHERE (cn."issuedAt" AT TIME ZONE cu.timezone)::date BETWEEN '2026-10-01' AND '2026-12-31')::bigint AS credited`;
    expect([tie.invoiced, tie.credited]).toEqual([report.totals.invoicedTaxCents, report.totals.creditedTaxCents]);

    const csv = salesTaxCsv(report).split("\r\n");
    expect(csv[0]).toBe("period_from,period_to,tax,name,province,rate_percent,registration_number,invoiced_taxable,invoiced_tax,credited_taxable,credited_tax,net_taxable,net_tax");
    expect(csv).toContain(`2026-10-01,2026-12-31,HST,HST,ON,13,${GST_HST},100.00,13.00,10.00,1.30,90.00,11.70`);
    expect(csv).toContain("2026-10-01,2026-12-31,ZERO_RATED,Zero-rated sales,,0,,300.00,0.00,20.00,0.00,280.00,0.00");
    expect(csv).toContain("2026-10-01,2026-12-31,TOTAL,All taxes,,,,,68.95,,6.29,776.68,62.66");
  });

  it("the next quarter has the January invoice and the credit note issued after midnight in Toronto", async () => {
    const q1 = await salesTaxReport(db, "2027-01-01", "2027-03-31");
    expect(q1.rows.map((r) => [r.code, r.province, r.invoicedTaxCents, r.creditedTaxableCents, r.creditedTaxCents])).toEqual([["HST", "ON", c(650), c(500), c(65)]]);
    await expect(salesTaxReport(db, "2027-03-31", "2027-01-01")).rejects.toMatchObject({ details: { to: ["value_is_out_of_range"] } });
    await expect(salesTaxReport(db, "2027-13-01", "2027-12-31")).rejects.toMatchObject({ details: { from: ["value_is_invalid"] } });
  });
});

describe("double-entry journal", () => {
  let db: Db;
  beforeAll(async () => {
    const l = await ledger("nexa_journal");
    db = l.db;
    await db.companyProfile.create({ data: { legalName: "Nexa", journalAccounts: parseAccountOverrides("revenue.chat = 4020 Chat revenue\n# comment\nar = 1100 AR") } });
    const on = await l.customer("Ontario Co.", "ON");
    const qc = await l.customer("Québec Cie", "QC");
    const us = await l.customer("US LLC", "WA", "US");
    await l.invoice(on.id, { issued: "2026-11-03", subtotal: 10000, taxes: [hst("13", 1300)], province: "ON" });
    const qcInvoice = await l.invoice(qc.id, { issued: "2026-11-03", subtotal: 20000, taxes: [gst(1000), { code: "QST", name: "QST", rate: "9.975", amount: 1995, registration: QST }], province: "QC", service: l.chat.id });
    await l.invoice(us.id, { issued: "2026-11-20", subtotal: 30000, note: "Zero-rated: customer outside Canada" });
    await l.invoice(on.id, { issued: "2026-11-04", subtotal: 99900, taxes: [hst("13", 12987)], status: "voided", province: "ON" });
    await l.invoice(on.id, { issued: "2026-12-01", subtotal: 5000, taxes: [hst("13", 650)], province: "ON" });
    await db.$transaction((tx) => issueCreditNote(tx, { invoiceId: qcInvoice.id, reason: "other", kind: "credit", items: [{ amountCents: c(3333), description: "Credit" }] }, new Date("2026-11-10T15:00:00Z")));
    await db.paymentReceipt.create({ data: { customerId: on.id, method: "cheque", reference: "77", amountCents: c(11300), receivedOn: new Date("2026-11-15T00:00:00Z"), reversedAt: new Date("2026-11-25T15:00:00Z"), reversalReason: "NSF" } });
    await db.payment.create({ data: { customerId: qc.id, amountCents: c(20995), status: "succeeded", provider: "stripe", idempotencyKey: `k-${Date.now()}`, createdAt: new Date("2026-11-16T03:00:00Z") } });
  });
  afterAll(async () => db?.$disconnect());

  it("balances every entry and ties revenue and tax to the sales tax report", async () => {
    const daily = await journal(db, "2026-11-01", "2026-11-30", "day");
    const report = await salesTaxReport(db, "2026-11-01", "2026-11-30");
    for (const entry of daily.entries) {
      const debits = entry.lines.reduce((s, l) => s + l.debitCents, c(0));
      const credits = entry.lines.reduce((s, l) => s + l.creditCents, c(0));
      expect(debits, entry.memo).toBe(credits);
    }
    // 100.00 + 200.00 + 300.00 − 33.33 = 566.67 of revenue; 13.00 + 10.00 + 19.95 − 1.67 − 3.32 = 37.96 of tax.
    expect(daily.revenueCents).toBe(c(56667));
    expect(daily.taxCents).toBe(c(3796));
    expect(daily.revenueCents).toBe(report.sales.netCents);
    expect(daily.taxCents).toBe(report.totals.netTaxCents);
    const net = (account: string) => daily.entries.flatMap((e) => e.lines).filter((l) => l.account === account).reduce((s, l) => s + l.creditCents - l.debitCents, c(0));
    expect(net("4000 Sales") + net("4020 Chat revenue")).toBe(report.sales.netCents);
    expect(net("2310 GST/HST Payable") + net("2320 QST Payable")).toBe(report.totals.netTaxCents);
    expect(daily.entries.map((e) => [e.date, e.memo, e.lines.map((l) => [l.account, l.debitCents, l.creditCents])])).toEqual([
      ["2026-11-03", "Invoices issued 2026-11-03", [["1100 AR", c(34295), c(0)], ["2310 GST/HST Payable", c(0), c(2300)], ["2320 QST Payable", c(0), c(1995)], ["4000 Sales", c(0), c(10000)], ["4020 Chat revenue", c(0), c(20000)]]],
      ["2026-11-10", "Credit notes issued 2026-11-10", [["2310 GST/HST Payable", c(167), c(0)], ["2320 QST Payable", c(332), c(0)], ["4020 Chat revenue", c(3333), c(0)], ["1100 AR", c(0), c(3832)]]],
      ["2026-11-15", "Card payments 2026-11-15", [["1015 Stripe Clearing", c(20995), c(0)], ["1100 AR", c(0), c(20995)]]],
      ["2026-11-15", "Offline payments 2026-11-15", [["1010 Bank", c(11300), c(0)], ["1100 AR", c(0), c(11300)]]],
      ["2026-11-20", "Invoices issued 2026-11-20", [["1100 AR", c(30000), c(0)], ["4000 Sales", c(0), c(30000)]]],
      ["2026-11-25", "Offline payment reversals 2026-11-25", [["1100 AR", c(11300), c(0)], ["1010 Bank", c(0), c(11300)]]],
    ]);
    const monthly = await journal(db, "2026-11-01", "2026-11-30", "month");
    expect(monthly.entries.map((e) => e.memo)).toEqual(["Card payments 2026-11", "Credit notes issued 2026-11", "Invoices issued 2026-11", "Offline payment reversals 2026-11", "Offline payments 2026-11"]);
    expect(monthly.entries.find((e) => e.memo.startsWith("Invoices"))!.lines.find((l) => l.account === "1100 AR")!.debitCents).toBe(c(64295));
    const qbo = journalCsv(daily, "quickbooks").split("\r\n");
    expect(qbo[0]).toBe("Journal No,Journal Date,Account,Debits,Credits,Description,Memo");
    expect(qbo[1]).toBe("NB-00001,2026-11-03,1100 AR,342.95,,Invoices issued,Invoices issued 2026-11-03");
    const xero = journalCsv(daily, "xero").split("\r\n");
    expect(xero[0]).toBe("*Narration,*Date,Description,*AccountCode,*TaxRate,*Amount");
    expect(xero).toContain("Credit notes issued 2026-11-10,2026-11-10,Credit notes issued,1100 AR,Tax Exempt,-38.32");
    expect(() => parseAccountOverrides("nonsense")).toThrow(/key = account/);
  });
});

describe("accounts receivable aging", () => {
  let db: Db;
  let ids: { cloud: string; chat: string; acme: string; beta: string };
  beforeAll(async () => {
    const l = await ledger("nexa_ar_aging");
    db = l.db;
    const acme = await l.customer("Acme Inc.", "ON");
    const beta = await l.customer("Beta Ltd.", "ON");
    ids = { cloud: l.cloud.id, chat: l.chat.id, acme: acme.id, beta: beta.id };
    const at = (customerId: string, number: number, due: string, amount: number, extra: { paid?: number; status?: "paid"; service?: string } = {}) =>
      l.invoice(customerId, { issued: "2026-09-01", subtotal: amount, due, ...extra });
    await at(acme.id, 1, "2027-01-15", 1000); //                         0 days: current
    await at(acme.id, 2, "2027-01-14", 2000); //                         1 day: 1–30
    await at(acme.id, 3, "2026-12-16", 3000, { service: l.chat.id }); // 30 days: 1–30
    await at(acme.id, 4, "2026-12-15", 4000); //                        31 days: 31–60
    await at(beta.id, 5, "2026-11-16", 5000); //                        60 days: 31–60
    await at(beta.id, 6, "2026-11-15", 6000, { service: l.chat.id }); // 61 days: 61–90
    await at(beta.id, 7, "2026-10-17", 7000); //                        90 days: 61–90
    await at(beta.id, 8, "2026-10-16", 8000, { paid: 500 }); //         91 days: 90+, $5 paid
    await at(beta.id, 9, "2026-01-01", 9000, { status: "paid", paid: 9000 }); // paid: not receivable
    await at(acme.id, 10, "2027-02-01", 100); //                         not yet due: current
  });
  afterAll(async () => db?.$disconnect());

  it("puts each invoice in its bucket at the edges, by customer and by service, with drill-down", async () => {
    const report = await arAging(db, "2027-01-15");
    expect(report.invoices.map((i) => [i.amountDueCents, i.daysPastDue, i.bucket])).toEqual([
      [c(7500), 91, "over_90"], [c(7000), 90, "61_90"], [c(6000), 61, "61_90"], [c(5000), 60, "31_60"], [c(4000), 31, "31_60"],
      [c(3000), 30, "1_30"], [c(2000), 1, "1_30"], [c(1000), 0, "current"], [c(100), -17, "current"],
    ]);
    expect(report.totals).toEqual({ current: c(1100), "1_30": c(5000), "31_60": c(9000), "61_90": c(13000), over_90: c(7500), total: c(35600) });
    expect(report.byCustomer.map((g) => [g.name, g.buckets, g.totalCents])).toEqual([
      ["Beta Ltd.", { current: c(0), "1_30": c(0), "31_60": c(5000), "61_90": c(13000), over_90: c(7500) }, c(25500)],
      ["Acme Inc.", { current: c(1100), "1_30": c(5000), "31_60": c(4000), "61_90": c(0), over_90: c(0) }, c(10100)],
    ]);
    expect(report.byService.map((g) => [g.name, g.totalCents])).toEqual([["Cloud", c(26600)], ["Chat", c(9000)]]);
    const drill = await arAging(db, "2027-01-15", { customerId: ids.beta, serviceId: ids.chat });
    expect(drill.invoices.map((i) => [i.customer, i.service, i.amountDueCents, i.bucket])).toEqual([["Beta Ltd.", "Chat", c(6000), "61_90"]]);
    // A day later every edge moves: 0 → 1–30, 30 → 31–60, 60 → 61–90, 90 → 90+.
    const next = await arAging(db, "2027-01-16");
    expect(next.totals).toEqual({ current: c(100), "1_30": c(3000), "31_60": c(7000), "61_90": c(11000), over_90: c(14500), total: c(35600) });
    const csv = arAgingCsv(report).split("\r\n");
    expect(csv[0]).toBe("as_of,invoice,customer,service,issued,due,days_past_due,bucket,amount_due,currency");
    expect(csv[1]).toMatch(/^2027-01-15,INV-T-\d{4},Beta Ltd\.,Cloud,2026-09-01,2026-10-16,91,90\+,75\.00,CAD$/);
  });
});

describe("console overview dashboard", () => {
  let db: Db;
  beforeAll(async () => {
    const l = await ledger("nexa_dashboard");
    db = l.db;
    const legacy = await db.service.create({ data: { code: "legacy", name: "Legacy", mode: "shadow" } });
    const on = await l.customer("Ontario Co.", "ON");
    const plan = (serviceId: string, code: string, interval: "weekly" | "monthly" | "yearly", amount: number) =>
      db.plan.create({ data: { serviceId, code, name: code, interval, amountCents: c(amount) } });
    const [cloudMonthly, chatYearly, chatWeekly, legacyMonthly] = await Promise.all([
      plan(l.cloud.id, "cloud_m", "monthly", 2000), plan(l.chat.id, "chat_y", "yearly", 99000), plan(l.chat.id, "chat_w", "weekly", 1000), plan(legacy.id, "legacy_m", "monthly", 5000),
    ]);
    let n = 0;
    const subscribe = (serviceId: string, planId: string, extra: object = {}) =>
      db.subscription.create({ data: { externalId: `s${++n}`, customerId: on.id, serviceId, planId, billingAnchorDate: new Date("2026-10-01T04:00:00Z"), subscriptionAt: new Date("2026-10-01T04:00:00Z"), ...extra } });
    await subscribe(l.cloud.id, cloudMonthly.id);
    await subscribe(l.cloud.id, cloudMonthly.id);
    await subscribe(l.cloud.id, cloudMonthly.id, { shadow: true });
    await subscribe(l.cloud.id, cloudMonthly.id, { status: "terminated" });
    await subscribe(l.chat.id, chatYearly.id);
    await subscribe(l.chat.id, chatWeekly.id);
    await subscribe(legacy.id, legacyMonthly.id);
    const overdue = await l.invoice(on.id, { issued: "2026-11-03", subtotal: 10000, taxes: [hst("13", 1300)], due: "2026-11-20" });
    const chatInvoice = await l.invoice(on.id, { issued: "2026-11-03", subtotal: 20000, status: "paid", paid: 20000, service: l.chat.id });
    await l.invoice(on.id, { issued: "2026-11-05", subtotal: 5000, taxes: [hst("13", 650)], due: "2026-12-15" });
    await l.invoice(on.id, { issued: "2026-11-06", subtotal: 70000, status: "voided" });
    await l.invoice(on.id, { issued: "2026-10-31", subtotal: 8000, status: "paid", paid: 8000 });
    await db.$transaction((tx) => issueCreditNote(tx, { invoiceId: chatInvoice.id, reason: "other", kind: "credit", items: [{ amountCents: c(3333), description: "Credit" }] }, new Date("2026-11-10T15:00:00Z")));
    const campaign = await db.dunningCampaign.create({ data: { name: "Default", retryDays: [1, 3], suspendAfterDays: 7, isDefault: true } });
    await db.dunningProcess.create({ data: { invoiceId: overdue.id, campaignId: campaign.id, startedAt: new Date("2026-11-21T12:00:00Z") } });
    await db.billingRun.create({ data: { status: "succeeded", billingUpTo: new Date("2026-10-01T12:00:00Z"), createdAt: new Date("2026-10-01T12:00:00Z"), invoicesCreated: 40 } });
    await db.billingRun.create({ data: { status: "failed", billingUpTo: new Date("2026-11-01T12:00:00Z"), createdAt: new Date("2026-11-01T12:00:00Z"), invoicesCreated: 38, failures: 2, errors: [{ error: "a" }, { error: "b" }] } });
    const others = await Promise.all([1, 2, 3, 4].map((i) => l.customer(`Recon ${i}`, "ON")));
    await db.reconciliation.create({ data: { serviceId: legacy.id, customerId: others[0].id, period: "2026-09", status: "match" } });
    for (const [i, status] of (["match", "match", "delta", "error"] as const).entries()) {
      await db.reconciliation.create({ data: { serviceId: legacy.id, customerId: others[i].id, period: "2026-10", status } });
    }
  });
  afterAll(async () => db?.$disconnect());

  it("shows MRR and this month's revenue per service, receivables, dunning, the last run and dual-run health", async () => {
    const d = await dashboard(db, "2026-11-28");
    expect(d.month).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    // Chat: 990.00 / 12 = 82.50 a month, plus 10.00 × 52 / 12 = 43.3333… → 125.83. Cloud: 2 × 20.00. Shadow and terminated
    // subscriptions and shadow services are not revenue.
    expect(d.services.map((s) => [s.code, s.mrrCents, s.revenueCents])).toEqual([["chat", c(12583), c(16667)], ["cloud", c(4000), c(15000)], ["legacy", c(0), c(0)]]);
    expect(d.receivables).toEqual({ outstandingCents: c(11300 + 5650), overdueCents: c(11300), overdueInvoices: 1 });
    expect(d.dunning).toEqual({ active: 1, amountDueCents: c(11300) });
    expect(d.lastBillingRun).toMatchObject({ status: "failed", invoicesCreated: 38, failures: 2 });
    expect(d.dualRun).toEqual({ period: "2026-10", match: 2, delta: 1, error: 1 });
    // December: nothing issued yet.
    expect((await dashboard(db, "2026-12-01")).services.map((s) => s.revenueCents)).toEqual([c(0), c(0), c(0)]);
  });
});

describe("documents in another currency than the books' (CAD)", () => {
  // A CAD ledger, its reports taken; then a USD customer's invoices (Ontario HST), credit note, payments, subscription
  // and dunning are added beside it. The CAD figures must not move, and the USD ones must be given apart, exactly.
  let l: Awaited<ReturnType<typeof ledger>>;
  let db: Db;
  const snapshot = async () => ({
    tax: await salesTaxReport(db, "2026-11-01", "2026-11-30"),
    aging: await arAging(db, "2026-11-28"),
    dash: await dashboard(db, "2026-11-28"),
    journal: await journal(db, "2026-11-01", "2026-11-30"),
  });
  const campaign = () => db.dunningCampaign.upsert({ where: { id: "00000000-0000-4000-8000-000000000001" }, create: { id: "00000000-0000-4000-8000-000000000001", name: "Default", retryDays: [1], suspendAfterDays: 7, isDefault: true }, update: {} });
  let n = 0;
  const subscribe = async (customerId: string, currency: string, amount: number) => {
    const plan = await db.plan.create({ data: { serviceId: l.cloud.id, code: `cloud_${currency}`, name: currency, interval: "monthly", amountCents: c(amount), currency } });
    await db.subscription.create({ data: { externalId: `fx${++n}`, customerId, serviceId: l.cloud.id, planId: plan.id, billingAnchorDate: new Date("2026-10-01T04:00:00Z"), subscriptionAt: new Date("2026-10-01T04:00:00Z") } });
  };
  const note = (invoiceId: string, amount: number, at: string) =>
    db.$transaction((tx) => issueCreditNote(tx, { invoiceId, reason: "other", kind: "credit", items: [{ amountCents: c(amount), description: "Credit" }] }, new Date(at)));

  beforeAll(async () => {
    l = await ledger("nexa_currencies");
    db = l.db;
    const on = await l.customer("Ontario Co.", "ON");
    await subscribe(on.id, "CAD", 2000);
    const a = await l.invoice(on.id, { issued: "2026-11-03", subtotal: 10000, taxes: [hst("13", 1300)], province: "ON", due: "2026-11-20" });
    await l.invoice(on.id, { issued: "2026-11-05", subtotal: 5000, taxes: [hst("13", 650)], province: "ON", due: "2026-12-15" });
    await note(a.id, 1000, "2026-11-10T15:00:00Z");
    await db.dunningProcess.create({ data: { invoiceId: a.id, campaignId: (await campaign()).id, startedAt: new Date("2026-11-21T12:00:00Z") } });
  });
  afterAll(async () => db?.$disconnect());

  it("leaves the CAD figures of the sales tax report, journal, AR aging and dashboard as they were, and gives the USD ones apart", async () => {
    const before = await snapshot();
    expect(before.tax.rows.map((r) => [r.code, r.province, r.invoicedTaxCents, r.creditedTaxCents])).toEqual([["HST", "ON", c(1950), c(130)]]);
    expect([before.tax.otherCurrencies, before.aging.otherCurrencies, before.dash.otherCurrencies, before.journal.unposted]).toEqual([[], [], [], []]);

    const us = await l.customer("Maple US Inc.", "ON", "CA", { currency: "USD" });
    await subscribe(us.id, "USD", 5000);
    // 400.00 + 13 % = 452.00, 14 days late on the 28th; 77.77 × 13 % = 10.1101 → 10.11, not yet due; 25.00 zero-rated,
    // 21 days late; an August invoice of 99.00, 89 days late (not in November's sales).
    const u1 = await l.invoice(us.id, { issued: "2026-11-04", subtotal: 40000, taxes: [hst("13", 5200)], province: "ON", due: "2026-11-14", currency: "USD" });
    await l.invoice(us.id, { issued: "2026-11-06", subtotal: 7777, taxes: [hst("13", 1011)], province: "ON", due: "2026-12-06", currency: "USD" });
    await l.invoice(us.id, { issued: "2026-11-07", subtotal: 2500, note: "Zero-rated: services exported", due: "2026-11-07", currency: "USD" });
    await l.invoice(us.id, { issued: "2026-08-01", subtotal: 9900, note: "Zero-rated: services exported", due: "2026-08-31", currency: "USD" });
    // 30.00 credited at the invoice's 13 %: 3.90.
    await note(u1.id, 3000, "2026-11-12T15:00:00Z");
    await db.dunningProcess.create({ data: { invoiceId: u1.id, campaignId: (await campaign()).id, startedAt: new Date("2026-11-15T12:00:00Z") } });
    await db.payment.create({ data: { customerId: us.id, currency: "USD", amountCents: c(8788), status: "succeeded", provider: "stripe", idempotencyKey: `fx-${Date.now()}`, createdAt: new Date("2026-11-16T15:00:00Z") } });
    await db.paymentReceipt.create({ data: { customerId: us.id, currency: "USD", method: "wire", reference: "W1", amountCents: c(500), receivedOn: new Date("2026-11-17T00:00:00Z") } });
    const after = await snapshot();

    // Sales tax: the CAD report is the same to the last field; USD is tallied apart in USD.
    expect({ ...after.tax, otherCurrencies: [] }).toEqual(before.tax);
    expect(after.tax.otherCurrencies).toEqual([{
      currency: "USD", invoiceCount: 3, creditNoteCount: 1,
      rows: [{ code: "HST", name: "HST", province: "ON", ratePercent: "13", registrationNumber: GST_HST, invoicedTaxableCents: c(47777), invoicedTaxCents: c(6211), creditedTaxableCents: c(3000), creditedTaxCents: c(390), netTaxableCents: c(44777), netTaxCents: c(5821) }],
      sales: { taxableCents: c(47777), zeroRatedCents: c(2500), exemptCents: c(0), creditedTaxableCents: c(3000), creditedZeroRatedCents: c(0), creditedExemptCents: c(0), netCents: c(47277) },
      totals: { invoicedTaxCents: c(6211), creditedTaxCents: c(390), netTaxCents: c(5821) },
    }]);
    // The CSV keeps the CAD lines and TOTAL byte for byte; the USD lines follow, tagged, never in TOTAL.
    const [csvBefore, csvAfter] = [salesTaxCsv(before.tax), salesTaxCsv(after.tax)];
    expect(csvAfter.startsWith(csvBefore)).toBe(true);
    expect(csvAfter.slice(csvBefore.length).split("\r\n").filter(Boolean)).toEqual([
      `2026-11-01,2026-11-30,USD:HST,"HST (in USD, not in TOTAL: convert at the exchange rate of each document's tax point)",ON,13,${GST_HST},477.77,62.11,30.00,3.90,447.77,58.21`,
      `2026-11-01,2026-11-30,USD:ZERO_RATED,"Zero-rated sales (in USD, not in TOTAL: convert at the exchange rate of each document's tax point)",,0,,25.00,0.00,0.00,0.00,25.00,0.00`,
      `2026-11-01,2026-11-30,USD:EXEMPT,"Exempt sales (in USD, not in TOTAL: convert at the exchange rate of each document's tax point)",,0,,0.00,0.00,0.00,0.00,0.00,0.00`,
      `2026-11-01,2026-11-30,USD:TOTAL,"All taxes (in USD, not in TOTAL: convert at the exchange rate of each document's tax point; 3 invoice(s), 1 credit note(s))",,,,,62.11,,3.90,472.77,58.21`,
    ]);

    // Journal: nothing in USD reaches the CAD accounts; what was left unposted is counted. It still ties to the report.
    expect({ ...after.journal, unposted: [] }).toEqual(before.journal);
    expect([after.journal.revenueCents, after.journal.taxCents]).toEqual([after.tax.sales.netCents, after.tax.totals.netTaxCents]);
    expect(after.journal.unposted).toEqual([{ currency: "USD", invoices: 3, creditNotes: 1, cardPayments: 1, cardRefunds: 0, offlinePayments: 1, offlinePaymentReversals: 0, walletMoves: 0 }]);

    // AR aging: every open invoice listed in its currency; totals and groups in CAD as before; USD owed apart.
    expect(after.aging.invoices.map((i) => [i.customer, i.currency, i.amountDueCents, i.bucket])).toEqual([
      ["Maple US Inc.", "USD", c(9900), "61_90"], ["Maple US Inc.", "USD", c(2500), "1_30"], ["Maple US Inc.", "USD", c(45200), "1_30"],
      ["Ontario Co.", "CAD", c(11300), "1_30"], ["Maple US Inc.", "USD", c(8788), "current"], ["Ontario Co.", "CAD", c(5650), "current"],
    ]);
    expect({ ...after.aging, invoices: after.aging.invoices.filter((i) => i.currency === "CAD"), otherCurrencies: [] }).toEqual(before.aging);
    expect(after.aging.totals).toEqual({ current: c(5650), "1_30": c(11300), "31_60": c(0), "61_90": c(0), over_90: c(0), total: c(16950) });
    expect(after.aging.byCustomer.map((g) => g.name)).toEqual(["Ontario Co."]);
    expect(after.aging.otherCurrencies).toEqual([{ currency: "USD", buckets: { current: c(8788), "1_30": c(47700), "31_60": c(0), "61_90": c(9900), over_90: c(0) }, totalCents: c(66388), invoiceCount: 4 }]);
    const aging = await arAging(db, "2026-11-28", { customerId: us.id });
    expect([aging.invoices.length, aging.totals.total, aging.byCustomer, aging.otherCurrencies[0].totalCents]).toEqual([4, c(0), [], c(66388)]);

    // Dashboard: MRR, revenue, receivables and dunning in CAD as before; USD apart.
    expect({ ...after.dash, otherCurrencies: [] }).toEqual(before.dash);
    expect(after.dash.services.find((s) => s.code === "cloud")).toMatchObject({ mrrCents: c(2000), revenueCents: c(14000) });
    expect([after.dash.receivables, after.dash.dunning]).toEqual([{ outstandingCents: c(16950), overdueCents: c(11300), overdueInvoices: 1 }, { active: 1, amountDueCents: c(11300) }]);
    expect(after.dash.otherCurrencies).toEqual([{
      currency: "USD", mrrCents: c(5000), revenueCents: c(47277), outstandingCents: c(66388), openInvoices: 4, overdueCents: c(57600), overdueInvoices: 3, dunningActive: 1, dunningAmountCents: c(45200),
    }]);
  });
});

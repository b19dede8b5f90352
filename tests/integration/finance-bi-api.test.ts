import { beforeAll, describe, expect, it } from "vitest";
import { reportBody } from "@/lib/api/reporting-route";
import { auditLogCsv, queryAuditLog } from "@/lib/audit/audit-query";
import { issueCreditNote } from "@/lib/invoicing/credit-notes";
import { arAging } from "@/lib/reports/ar-aging";
import { marginReport } from "@/lib/reports/margin";
import { createReportingToken, revokeReportingToken } from "@/lib/reports/reporting-tokens";
import { revenueReport } from "@/lib/reports/revenue";
import { salesTaxReport } from "@/lib/reports/sales-tax";
import { createTestService, testDb, uniqueSuffix, type TestService } from "../support/api-fixture";
import { seededStaffId } from "../support/domain-fixture";
import { testEnv } from "../support/env";
import { staffSession } from "../support/staff-sign-in";

// Against the running server: the cost ingest API, the read-only reporting API, the accountant's CSV exports and the
// audit log export. Each test works on customers and dates of its own, so the shared database's other rows never match.
const c = (n: number) => BigInt(n);
const reportsBase = () => `${testEnv.baseUrl}/api/reports/v1`;
const MONEY = /^-?\d+\.\d{2}$/;

describe("provider cost ingest: POST /costs and /costs/batch", () => {
  let svc: TestService;
  let other: TestService;
  let external: string;
  beforeAll(async () => {
    svc = await createTestService("live");
    other = await createTestService("live");
    external = `cust-${uniqueSuffix()}`;
    const customer = await testDb().customer.create({ data: { legalName: "Cost Co.", province: "ON" } });
    await testDb().accountLink.create({ data: { serviceId: svc.id, externalId: external, customerId: customer.id } });
    const stranger = await testDb().customer.create({ data: { legalName: "Other's customer", province: "ON" } });
    await testDb().accountLink.create({ data: { serviceId: other.id, externalId: `theirs-${external}`, customerId: stranger.id } });
  });

  it("stores a cost once; the same key and body answers the same cost; another body is 409", async () => {
    const cost = { external_customer_id: external, timestamp: "2026-12-01T03:30:00Z", cost_type: "model_tokens", amount_cents: 1234, amount_currency: "cad", idempotency_key: "k-1" };
    const first = await svc.call("/costs", { method: "POST", json: { cost } });
    expect(first.status).toBe(200);
    const body = (await first.json()).cost;
    // 22:30 on November 30 in Toronto: the cost's day is November 30.
    expect(body).toMatchObject({ external_customer_id: external, date: "2026-11-30", cost_type: "model_tokens", amount_cents: 1234, amount_currency: "CAD", duplicate: false });
    const again = await svc.call("/costs", { method: "POST", json: { cost } });
    expect(again.status).toBe(200);
    expect((await again.json()).cost).toMatchObject({ lago_id: body.lago_id, duplicate: true, amount_cents: 1234 });
    const changed = await svc.call("/costs", { method: "POST", json: { cost: { ...cost, amount_cents: 1235 } } });
    expect(changed.status).toBe(409);
    expect(await changed.json()).toMatchObject({ status: 409, code: "idempotency_key_conflict", error_details: { idempotency_key: ["idempotency_key_conflict"] } });
    expect(await testDb().providerCost.count({ where: { serviceId: svc.id } })).toBe(1);
  });

  it("refuses another service's customer, bad input and half a batch, in Lago's shape", async () => {
    const cost = { external_customer_id: `theirs-${external}`, date: "2026-11-02", cost_type: "sms", amount_cents: 5, amount_currency: "CAD", idempotency_key: "k-2" };
    const foreign = await svc.call("/costs", { method: "POST", json: { cost } });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ status: 404, code: "customer_not_found" });
    const bad = await svc.call("/costs", { method: "POST", json: { cost: { ...cost, external_customer_id: external, date: "2026-02-30", amount_cents: 1.5 } } });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error_details).toMatchObject({ date: ["invalid_date"], amount_cents: ["value_is_invalid"] });
    const both = await svc.call("/costs", { method: "POST", json: { cost: { ...cost, external_customer_id: external, timestamp: "2026-11-02T12:00:00Z" } } });
    expect((await both.json()).error_details).toEqual({ timestamp: ["value_is_invalid"] });
    const missing = await svc.call("/costs", { method: "POST", json: {} });
    expect([missing.status, (await missing.json()).code]).toEqual([400, "missing_root_key"]);

    const batch = await svc.call("/costs/batch", { method: "POST", json: { costs: [{ ...cost, external_customer_id: external, idempotency_key: "b-1" }, cost] } });
    expect(batch.status).toBe(422);
    expect((await batch.json()).error_details).toEqual({ 1: { external_customer_id: ["customer_not_found"] } });
    expect(await testDb().providerCost.count({ where: { serviceId: svc.id, idempotencyKey: "b-1" } })).toBe(0);
    const ok = await svc.call("/costs/batch", { method: "POST", json: { costs: [{ ...cost, external_customer_id: external, idempotency_key: "b-1" }, { ...cost, external_customer_id: external, idempotency_key: "b-2", amount_cents: 7 }] } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).costs.map((x: { amount_cents: number; duplicate: boolean }) => [x.amount_cents, x.duplicate])).toEqual([[5, false], [7, false]]);
    expect((await svc.call("/costs", { method: "GET" })).status).toBe(405);
  });
});

describe("read-only reporting API /api/reports/v1", () => {
  let svc: TestService;
  let token: string;
  let tokenId: string;
  let customerId: string;
  const get = (path: string, auth?: string) => fetch(`${reportsBase()}${path}`, { headers: auth ? { Authorization: `Bearer ${auth}` } : {} });

  beforeAll(async () => {
    svc = await createTestService("live");
    const staffId = await seededStaffId();
    ({ token, id: tokenId } = await createReportingToken(testDb(), `BI ${uniqueSuffix()}`, staffId));
    customerId = (await testDb().customer.create({ data: { legalName: `BI Co. ${uniqueSuffix()}`, province: "ON" } })).id;
    await testDb().accountLink.create({ data: { serviceId: svc.id, externalId: "bi-1", customerId } });
    await testDb().invoice.create({
      data: {
        number: `INV-BI-${uniqueSuffix()}`, customerId, serviceId: svc.id, status: "finalized", periodStart: new Date("2032-05-01T04:00:00Z"), periodEnd: new Date("2032-06-01T04:00:00Z"),
        issuingDate: new Date("2032-06-01T00:00:00Z"), paymentDueDate: new Date("2032-06-15T00:00:00Z"), subtotalCents: c(20000), taxesCents: c(2600), totalCents: c(22600),
        lines: { create: [{ kind: "one_off", description: "Setup", amountCents: c(20000) }] },
        taxes: { create: [{ code: "HST", name: "HST", rate: "13", taxableAmountCents: c(20000), amountCents: c(2600), registrationNumber: "123456789 RT0001" }] },
      },
    });
    await svc.call("/costs", { method: "POST", json: { cost: { external_customer_id: "bi-1", date: "2032-06-10", cost_type: "compute", amount_cents: 5000, amount_currency: "CAD", idempotency_key: "bi-c1" } } });
    // The same customer's invoices in USD (Ontario HST): never added to the CAD figures, given apart in USD.
    const usd = (issued: string, due: string, subtotal: number) => testDb().invoice.create({
      data: {
        number: `INV-BI-USD-${uniqueSuffix()}`, customerId, serviceId: svc.id, status: "finalized", currency: "USD", periodStart: new Date(`${issued}T04:00:00Z`), periodEnd: new Date(`${issued}T04:00:00Z`),
        issuingDate: new Date(`${issued}T00:00:00Z`), paymentDueDate: new Date(`${due}T00:00:00Z`), subtotalCents: c(subtotal), taxesCents: c((subtotal * 13) / 100), totalCents: c((subtotal * 113) / 100),
        lines: { create: [{ kind: "one_off", description: "Setup", amountCents: c(subtotal) }] },
        taxes: { create: [{ code: "HST", name: "HST", rate: "13", taxableAmountCents: c(subtotal), amountCents: c((subtotal * 13) / 100), registrationNumber: "123456789 RT0001" }] },
      },
    });
    await usd("2032-06-01", "2032-06-15", 10000);
    await usd("2001-02-01", "2001-03-03", 30000);
  });

  it("refuses a service key with 403 and a code, and anything but a live reporting token with 401", async () => {
    const withKey = await get("/margin", svc.apiKey);
    expect(withKey.status).toBe(403);
    expect(await withKey.json()).toMatchObject({ status: 403, error: "Forbidden", code: "reporting_token_required" });
    expect([(await get("/margin")).status, (await (await get("/margin")).json()).code]).toEqual([401, "missing_reporting_token"]);
    expect((await (await get("/margin", `${token}x`)).json()).code).toBe("invalid_reporting_token");
    expect((await (await get("/margin", "nexa_rt_short")).json()).code).toBe("invalid_reporting_token");
    // A reporting token is no API key: the billing API refuses it.
    expect((await fetch(`${testEnv.baseUrl}/api/billing/v1/customers`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it("answers each report with the console's figures", async () => {
    const margin = await get(`/margin?from=2032-06&to=2032-06&customer=${customerId}`, token);
    expect(margin.status).toBe(200);
    const expected = JSON.parse(JSON.stringify({ margin: reportBody(await marginReport(testDb(), "2032-06", "2032-06", { customerId })) }));
    const body = await margin.json();
    expect(body).toEqual(expected);
    expect(body.margin.totals).toEqual({ revenue_cents: 20000, cost_cents: 5000, margin_cents: 15000, margin_percent: "75.00" });
    expect(body.margin.rows[0]).toMatchObject({ month: "2032-06", customer_id: customerId, costs_by_type: { compute: 5000 } });

    const revenue = await (await get(`/revenue?from=2032-06&to=2032-06&service=${svc.id}`, token)).json();
    expect(revenue).toEqual(JSON.parse(JSON.stringify({ revenue: reportBody(await revenueReport(testDb(), "2032-06", "2032-06", { serviceId: svc.id })) })));
    expect(revenue.revenue.totals).toEqual({ invoiced_cents: 20000, credited_cents: 0, net_cents: 20000, collected_cents: 0 });

    const aging = await (await get(`/ar_aging?as_of=2032-07-20&customer=${customerId}`, token)).json();
    expect(aging).toEqual(JSON.parse(JSON.stringify({ ar_aging: reportBody(await arAging(testDb(), "2032-07-20", { customerId })) })));
    expect(aging.ar_aging.totals).toMatchObject({ "31_60": 22600, total: 22600 });
    expect(aging.ar_aging.invoices.map((i: { currency: string; amount_due_cents: number }) => [i.currency, i.amount_due_cents]).sort()).toEqual([["CAD", 22600], ["USD", 11300], ["USD", 33900]]);
    expect(aging.ar_aging.currency).toBe("CAD");
    expect(aging.ar_aging.other_currencies).toEqual([{ currency: "USD", buckets: { current: 0, "1_30": 0, "31_60": 11300, "61_90": 0, over_90: 33900 }, total_cents: 45200, invoice_count: 2 }]);

    const tax = await (await get("/sales_tax?from=2001-01-01&to=2001-03-31", token)).json();
    expect(tax).toEqual(JSON.parse(JSON.stringify({ sales_tax: reportBody(await salesTaxReport(testDb(), "2001-01-01", "2001-03-31")) })));
    expect([tax.sales_tax.currency, tax.sales_tax.invoice_count, tax.sales_tax.totals]).toEqual(["CAD", 0, { invoiced_tax_cents: 0, credited_tax_cents: 0, net_tax_cents: 0 }]);
    expect(tax.sales_tax.other_currencies).toEqual([{
      currency: "USD", invoice_count: 1, credit_note_count: 0,
      rows: [{ code: "HST", name: "HST", province: "ON", rate_percent: "13", registration_number: "123456789 RT0001", invoiced_taxable_cents: 30000, invoiced_tax_cents: 3900, credited_taxable_cents: 0, credited_tax_cents: 0, net_taxable_cents: 30000, net_tax_cents: 3900 }],
      sales: { taxable_cents: 30000, zero_rated_cents: 0, exempt_cents: 0, credited_taxable_cents: 0, credited_zero_rated_cents: 0, credited_exempt_cents: 0, net_cents: 30000 },
      totals: { invoiced_tax_cents: 3900, credited_tax_cents: 0, net_tax_cents: 3900 },
    }]);

    const dashboard = await get("/dashboard", token);
    expect(dashboard.status).toBe(200);
    expect(Object.keys((await dashboard.json()).dashboard).sort()).toEqual(["currency", "dual_run", "dunning", "last_billing_run", "month", "other_currencies", "receivables", "services"]);

    // The console's CSV of the same margin has the same figures.
    const admin = await staffSession("admin");
    const csv = await (await fetch(`${testEnv.baseUrl}/console/reports/margin/export?from=2032-06&to=2032-06&customer=${customerId}`, { headers: { Cookie: admin.cookies } })).text();
    expect(csv.split("\r\n")[1]).toMatch(/^2032-06,Test svc_[^,]+,BI Co\. [^,]+,200\.00,50\.00,150\.00,75\.00,compute=50\.00$/);
  });

  it("bad parameters and unknown reports are Lago-shaped errors; a revoked token stops at once", async () => {
    const bad = await get("/revenue?from=2032-13&to=2032-06", token);
    expect([bad.status, (await bad.json()).error_details]).toEqual([422, { from: ["value_is_invalid"] }]);
    expect((await (await get("/margin?customer=nope", token)).json())).toMatchObject({ status: 422, error_details: { customer: ["value_is_invalid"] } });
    const unknown = await get("/profit", token);
    expect([unknown.status, (await unknown.json()).code]).toEqual([404, "report_not_found"]);
    expect((await get("/margin/extra", token)).status).toBe(404);
    expect((await fetch(`${reportsBase()}/margin`, { method: "POST", headers: { Authorization: `Bearer ${token}` } })).status).toBe(405);
    await revokeReportingToken(testDb(), tokenId, await seededStaffId());
    expect((await (await get("/margin", token)).json()).code).toBe("invalid_reporting_token");
  });
});

describe("exports for the accountant and the audit log", () => {
  let finance: string;
  let viewer: string;
  let svc: TestService;
  let tag: string;
  let invoiceNumber: string;

  beforeAll(async () => {
    finance = (await staffSession("finance")).cookies;
    viewer = (await staffSession("viewer")).cookies;
    svc = await createTestService("live");
    tag = uniqueSuffix();
    const customer = await testDb().customer.create({ data: { legalName: `Books, "Quoted" ${tag}`, province: "ON", timezone: "America/Vancouver" } });
    invoiceNumber = `INV-ACC-${tag}`;
    // March 2033 belongs to this test alone.
    const invoice = await testDb().invoice.create({
      data: {
        number: invoiceNumber, customerId: customer.id, serviceId: svc.id, status: "finalized", periodStart: new Date("2033-02-01T05:00:00Z"), periodEnd: new Date("2033-03-01T05:00:00Z"),
        issuingDate: new Date("2033-03-01T00:00:00Z"), paymentDueDate: new Date("2033-03-31T00:00:00Z"), subtotalCents: c(100001), taxesCents: c(13000), totalCents: c(113001), amountPaidCents: c(50000),
        lines: { create: [{ kind: "one_off", description: "Work", amountCents: c(100001) }] },
        taxes: { create: [{ code: "HST", name: "HST", rate: "13", taxableAmountCents: c(100001), amountCents: c(13000), registrationNumber: "123456789 RT0001" }] },
      },
    });
    // 20:00 on March 31 in Vancouver (the customer's day) is April 1 in UTC: still March.
    await testDb().$transaction((tx) => issueCreditNote(tx, { invoiceId: invoice.id, reason: "other", kind: "credit", items: [{ amountCents: c(1000), description: "Goodwill" }] }, new Date("2033-04-01T03:00:00Z")));
    const payment = await testDb().payment.create({ data: { customerId: customer.id, invoiceId: invoice.id, amountCents: c(50000), status: "succeeded", provider: "stripe", providerPaymentId: `pi_${tag}`, idempotencyKey: `acc-${tag}`, createdAt: new Date("2033-03-05T15:00:00Z") } });
    await testDb().refund.create({ data: { paymentId: payment.id, amountCents: c(1050), providerRefundId: `re_${tag}`, reason: "requested_by_customer", createdAt: new Date("2033-03-06T15:00:00Z") } });
    const receipt = await testDb().paymentReceipt.create({ data: { customerId: customer.id, method: "cheque", reference: `CHQ-${tag}`, amountCents: c(20000), unappliedCents: c(7000), receivedOn: new Date("2033-03-10T00:00:00Z") } });
    await testDb().payment.create({ data: { customerId: customer.id, invoiceId: invoice.id, amountCents: c(13000), status: "succeeded", provider: "cheque", trigger: "offline", receiptId: receipt.id, idempotencyKey: `acc2-${tag}` } });
  });

  const download = (path: string, cookies = finance) => fetch(`${testEnv.baseUrl}/console/reports/${path}`, { headers: { Cookie: cookies } });
  const lines = async (path: string) => {
    const res = await download(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    return (await res.text()).trimEnd().split("\r\n");
  };

  it("invoices, credit notes, payments and refunds of a period, money as exact decimal strings", async () => {
    const range = "from=2033-03-01&to=2033-03-31";
    const invoices = await lines(`exports/invoices?${range}`);
    expect(invoices[0]).toBe("number,issued,due,status,payment_status,customer,customer_number,service,currency,subtotal,taxes,total,credits_applied,amount_paid,amount_due,tax_detail,tax_note,voided_at");
    const row = invoices.find((l) => l.startsWith(invoiceNumber))!;
    expect(row).toMatch(new RegExp(`^${invoiceNumber},2033-03-01,2033-03-31,finalized,pending,"Books, ""Quoted"" ${tag}",\\d+,${svc.code},CAD,1000\\.01,130\\.00,1130\\.01,0\\.00,500\\.00,630\\.01,HST=130\\.00,,$`));
    const notes = await lines(`exports/credit-notes?${range}`);
    expect(notes.find((l) => l.includes(invoiceNumber))).toMatch(new RegExp(`,2033-03-31,issued,credit,other,${invoiceNumber},"Books, ""Quoted"" ${tag}",${svc.code},CAD,10\\.00,1\\.30,11\\.30,11\\.30$`));
    const payments = (await lines(`exports/payments?${range}`)).filter((l) => l.includes(tag));
    expect(payments).toEqual([
      `2033-03-05,card,pi_${tag},"Books, ""Quoted"" ${tag}",${invoiceNumber},${svc.code},CAD,500.00,0.00,succeeded,`,
      `2033-03-10,cheque,CHQ-${tag},"Books, ""Quoted"" ${tag}",${invoiceNumber},${svc.code},CAD,130.00,0.00,received,`,
      `2033-03-10,cheque,CHQ-${tag},"Books, ""Quoted"" ${tag}",credit balance,,CAD,70.00,0.00,received,`,
    ]);
    const refunds = (await lines(`exports/refunds?${range}`)).filter((l) => l.includes(tag));
    expect(refunds).toEqual([`2033-03-06,re_${tag},pi_${tag},"Books, ""Quoted"" ${tag}",${invoiceNumber},${svc.code},,CAD,10.50,succeeded,requested_by_customer`]);
    // Every money column of every export is an exact decimal with two places.
    for (const [kind, columns] of [["invoices", [9, 10, 11, 12, 13, 14]], ["refunds", [8]]] as const) {
      const mine = (await lines(`exports/${kind}?${range}`)).filter((l) => l.includes(tag));
      for (const l of mine) {
        const cells = l.replace(/"(?:[^"]|"")*"/g, "Q").split(",");
        for (const i of columns) expect(cells[i]).toMatch(MONEY);
      }
    }
    // Nothing of it in April.
    expect((await lines("exports/invoices?from=2033-04-01&to=2033-04-30")).some((l) => l.includes(tag))).toBe(false);
  });

  it("exports need finance; bad periods and unknown exports are Lago-shaped errors", async () => {
    const refused = await download("exports/invoices?from=2033-03-01&to=2033-03-31", viewer);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ status: 403, code: "role_required" });
    const anonymous = await fetch(`${testEnv.baseUrl}/console/reports/exports/payments`);
    expect([anonymous.status, (await anonymous.json()).code]).toEqual([401, "unauthenticated"]);
    const bad = await download("exports/refunds?from=2033-03-31&to=2033-03-01");
    expect([bad.status, (await bad.json()).error_details]).toEqual([422, { to: ["value_is_out_of_range"] }]);
    const unknown = await download("exports/salaries?from=2033-03-01&to=2033-03-31");
    expect([unknown.status, (await unknown.json()).code]).toEqual([404, "export_not_found"]);
    expect((await download("audit-log/export", viewer)).status).toBe(403);
  });

  it("audit log: filters by actor, entity, action and Toronto days; the CSV has what the query shows", async () => {
    const staffId = await seededStaffId();
    const admin = await testDb().staffUser.findUniqueOrThrow({ where: { id: staffId } });
    const entityType = `Ledger${tag}`;
    const entry = (actorType: "staff" | "service" | "system", actorId: string | null, action: string, at: string, data: object = {}) =>
      testDb().auditLog.create({ data: { actorType, actorId, action, entityType, entityId: `e-${tag}`, data, createdAt: new Date(at) } });
    // 23:30 on January 30 in Toronto, then 00:30 and 18:00 on January 31.
    await entry("staff", staffId, "invoice.voided", "2033-01-31T04:30:00Z");
    await entry("service", svc.id, "invoice.finalized", "2033-01-31T05:30:00Z", { number: "INV-1, \"2\"" });
    await entry("system", null, "credit_note.created", "2033-01-31T23:00:00Z");

    const all = await queryAuditLog(testDb(), { entityType });
    expect(all.rows.map((r) => [r.action, r.actor])).toEqual([["credit_note.created", "system"], ["invoice.finalized", `service ${svc.code}`], ["invoice.voided", admin.email]]);
    const jan31 = await queryAuditLog(testDb(), { entityType, from: "2033-01-31", to: "2033-01-31" });
    expect(jan31.rows.map((r) => r.action)).toEqual(["credit_note.created", "invoice.finalized"]);
    expect((await queryAuditLog(testDb(), { entityType, action: "invoice." })).rows.map((r) => r.action)).toEqual(["invoice.finalized", "invoice.voided"]);
    expect((await queryAuditLog(testDb(), { entityType, actor: admin.email.slice(0, 8).toUpperCase() })).rows.map((r) => r.action)).toEqual(["invoice.voided"]);
    expect((await queryAuditLog(testDb(), { entityType, actor: svc.code })).rows.map((r) => r.action)).toEqual(["invoice.finalized"]);
    expect((await queryAuditLog(testDb(), { entityType, actorType: "system" })).total).toBe(1);
    // A LIKE wildcard is a character like any other.
    expect((await queryAuditLog(testDb(), { entityType, action: "%" })).total).toBe(0);
    await expect(queryAuditLog(testDb(), { from: "2033-02-30" })).rejects.toMatchObject({ details: { from: ["value_is_invalid"] } });

    const csv = await lines(`audit-log/export?entity_type=${entityType}&from=2033-01-31&to=2033-01-31`);
    expect(csv[0]).toBe("at,actor_type,actor_id,actor,action,entity_type,entity_id,data");
    expect(csv.slice(1)).toEqual([
      `2033-01-31T23:00:00.000Z,system,,system,credit_note.created,${entityType},e-${tag},{}`,
      `2033-01-31T05:30:00.000Z,service,${svc.id},service ${svc.code},invoice.finalized,${entityType},e-${tag},"{""number"":""INV-1, \\""2\\""""}"`,
    ]);
    expect((await auditLogCsv(testDb(), { entityType })).trimEnd().split("\r\n")).toHaveLength(4);
    const page = await (await download(`audit-log?entity_type=${entityType}`)).text();
    expect(page).toContain("invoice.finalized");
    expect(page).toContain(`service ${svc.code}`);
  });
});

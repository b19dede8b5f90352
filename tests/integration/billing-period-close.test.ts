import { beforeAll, describe, expect, it } from "vitest";
import { invoiceDocument } from "@/lib/documents/ledger-documents";
import { heldReferenceWritesAllowed, writeHeldReferences } from "@/lib/db/held-reference-writes";
import { withTransactionConnection } from "@/lib/db/transaction-connection";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { companyProfile, sellerOf } from "@/lib/invoicing/company-profile";
import { refreshDraftInvoice } from "@/lib/invoicing/invoice-actions";
import { createTestService, lagoFailure, testDb, uniqueSuffix, type TestService } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { statementWatchingClient } from "../support/statement-watch";

// October 2026 in Toronto: local midnight Oct 1 is 04:00Z (EDT); Nov 1 local midnight is 04:00Z as well (DST ends Nov 1 at 02:00).
const OCT_1 = "2026-10-01T04:00:00.000Z";
const OCT_16 = "2026-10-16T04:00:00.000Z";
const NOV_1 = new Date("2026-11-01T04:00:00.000Z");
const CLOSE_AT = new Date("2026-11-01T12:00:00.000Z");

describe("period close: invoices with Canadian tax, to the cent", () => {
  let svc: TestService;
  let p: string;
  const invoiceOf = async (externalCustomerId: string) => {
    const link = await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId: externalCustomerId } } });
    return testDb().invoice.findMany({ where: { customerId: link.customerId, serviceId: svc.id }, include: { lines: { orderBy: { position: "asc" } }, taxes: { orderBy: { code: "asc" } } } });
  };

  beforeAll(async () => {
    await testDb().companyProfile.upsert({
      where: { id: 1 },
      update: {},
      create: { id: 1, legalName: "Nexa Technologies Inc.", addressLine1: "1 Yonge St", city: "Toronto", province: "ON", postalCode: "M5E 1E5", gstHstNumber: "123456789 RT0001", qstNumber: "1234567890 TQ0001", bcPstNumber: "PST-1234-5678" },
    });
    svc = await createTestService("live");
    p = svc.code;
    const calls = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "API calls", code: `calls_${p}`, aggregation_type: "count_agg" } })).data.billable_metric;
    await svc.lago.plans.createPlan({
      plan: { name: "Standard", code: `std_${p}`, interval: "monthly", amount_cents: 5000, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: calls.lago_id, charge_model: "standard", properties: { amount: "0.02" }, included_quantity: "100" }] },
    });
    const customers = [
      { external_id: "on-1", legal_name: "Toronto Widgets Inc.", state: "ON", country: "CA", timezone: "America/Toronto" },
      { external_id: "on-2", legal_name: "Ottawa Late Starter Ltd.", state: "ON", country: "CA", timezone: "America/Toronto" },
      { external_id: "qc-1", legal_name: "Québec Logiciels Inc.", state: "QC", country: "CA", timezone: "America/Toronto" },
      { external_id: "bc-1", legal_name: "Vancouver Data Ltd.", state: "BC", country: "CA", timezone: "America/Toronto" },
      { external_id: "us-1", legal_name: "Seattle Cloud LLC", state: "WA", country: "US", timezone: "America/Toronto" },
    ];
    for (const c of customers) {
      await svc.lago.customers.createCustomer({ customer: c });
      await svc.lago.subscriptions.createSubscription({
        subscription: { external_customer_id: c.external_id, plan_code: `std_${p}`, external_id: `sub-${c.external_id}`, subscription_at: c.external_id === "on-2" ? OCT_16 : OCT_1 },
      });
    }
    // Usage through both ingestion paths: raw events (ON: 350 calls) and aggregate pushes (QC: 1000, BC: 101).
    const ts = Math.floor(new Date("2026-10-20T15:00:00Z").getTime() / 1000);
    for (let batch = 0; batch < 4; batch++) {
      const size = batch < 3 ? 100 : 50;
      await svc.lago.events.createBatchEvents({ events: Array.from({ length: size }, (_, i) => ({ transaction_id: `on-${batch}-${i}`, external_subscription_id: "sub-on-1", code: `calls_${p}`, timestamp: ts + i })) });
    }
    const push = (sub: string, value: number, key: string) =>
      svc.call("/usage", { method: "POST", json: { usage: { external_subscription_id: sub, code: `calls_${p}`, period_start: "2026-10-01T04:00:00Z", period_end: "2026-10-31T12:00:00Z", value, idempotency_key: key } } });
    expect((await push("sub-qc-1", 1000, "qc-oct")).status).toBe(200);
    expect((await push("sub-bc-1", 101, "bc-oct")).status).toBe(200);
    // Usage after the period must not be billed in October.
    expect((await svc.call("/usage", { method: "POST", json: { usage: { external_subscription_id: "sub-bc-1", code: `calls_${p}`, timestamp: "2026-11-01T05:00:00Z", value: 50, idempotency_key: "bc-nov" } } })).status).toBe(200);
  });

  it("bills each customer's October with the right tax", async () => {
    const summary = await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id });
    expect(summary.failures.filter((f) => f.serviceId === svc.id)).toEqual([]);

    // ON, HST 13 %: $50 + 250 billable calls × $0.02 = $55.00; HST $7.15; total $62.15.
    const [on] = await invoiceOf("on-1");
    expect({ sub: on.subtotalCents, tax: on.taxesCents, total: on.totalCents }).toEqual({ sub: 5500n, tax: 715n, total: 6215n });
    expect(on.taxes.map((t) => [t.code, t.rate.toString(), t.amountCents, t.registrationNumber])).toEqual([["HST", "13", 715n, "123456789 RT0001"]]);
    expect(on.lines.map((l) => [l.kind, l.amountCents, l.quantity.toString(), l.includedQuantity.toString()])).toEqual([
      ["subscription_fee", 5000n, "1", "0"],
      ["usage_charge", 500n, "350", "100"],
    ]);
    expect(on.status).toBe("finalized");
    expect(on.number).toMatch(/^INV-2026-\d{6}$/);
    expect(on.periodStart.toISOString()).toBe(OCT_1);
    expect(on.periodEnd.toISOString()).toBe(NOV_1.toISOString());

    // ON, started Oct 16: 16 of 31 days × $50 = $25.806… → $25.81; HST 13 % → $3.3553 → $3.36; total $29.17.
    const [late] = await invoiceOf("on-2");
    expect({ sub: late.subtotalCents, tax: late.taxesCents, total: late.totalCents }).toEqual({ sub: 2581n, tax: 336n, total: 2917n });
    expect(late.lines[0].description).toContain("(16 of 31 days)");

    // QC, GST 5 % + QST 9.975 % on the subtotal: $50 + 900 × $0.02 = $68.00; GST $3.40; QST $6.783 → $6.78; total $78.18.
    const [qc] = await invoiceOf("qc-1");
    expect({ sub: qc.subtotalCents, tax: qc.taxesCents, total: qc.totalCents }).toEqual({ sub: 6800n, tax: 1018n, total: 7818n });
    expect(qc.taxes.map((t) => [t.code, t.rate.toString(), t.amountCents, t.registrationNumber])).toEqual([
      ["GST", "5", 340n, "123456789 RT0001"],
      ["QST", "9.975", 678n, "1234567890 TQ0001"],
    ]);

    // BC, GST 5 % + PST 7 %: $50 + 1 × $0.02 = $50.02; GST $2.501 → $2.50; PST $3.5014 → $3.50; total $56.02.
    const [bc] = await invoiceOf("bc-1");
    expect({ sub: bc.subtotalCents, tax: bc.taxesCents, total: bc.totalCents }).toEqual({ sub: 5002n, tax: 600n, total: 5602n });
    expect(bc.taxes.map((t) => [t.code, t.amountCents])).toEqual([["BC_PST", 350n], ["GST", 250n]]);

    // US: zero-rated, with the reason on the invoice.
    const [us] = await invoiceOf("us-1");
    expect({ sub: us.subtotalCents, tax: us.taxesCents, total: us.totalCents }).toEqual({ sub: 5000n, tax: 0n, total: 5000n });
    expect(us.taxes).toEqual([]);
    expect(us.taxNote).toBe("Zero-rated: customer outside Canada");
  });

  it("numbers finalised invoices without gaps and never bills a boundary twice", async () => {
    const before = await testDb().invoice.count({ where: { serviceId: svc.id } });
    const again = await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id });
    expect(again.invoicesCreated).toBe(0);
    expect(await testDb().invoice.count({ where: { serviceId: svc.id } })).toBe(before);

    const numbers = (await testDb().invoice.findMany({ where: { number: { startsWith: "INV-2026-" } }, select: { number: true } }))
      .map((i) => Number(i.number!.slice(-6))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => numbers[0] + i));
    const subs = await testDb().subscription.findMany({ where: { serviceId: svc.id } });
    expect(subs.every((s) => s.nextBillingAt?.toISOString() === "2026-12-01T05:00:00.000Z")).toBe(true);
  });

  it("bills each invoice once when two runners close the same period concurrently", async () => {
    const DEC_CLOSE = new Date("2026-12-01T12:00:00.000Z");
    const [a, b] = await Promise.all([runBillingCycle(testDb(), DEC_CLOSE, { serviceId: svc.id }), runBillingCycle(testDb(), DEC_CLOSE, { serviceId: svc.id })]);
    const mine = await testDb().invoice.findMany({ where: { serviceId: svc.id, periodStart: new Date("2026-11-01T04:00:00.000Z") } });
    expect(mine).toHaveLength(5);
    expect(new Set(mine.map((i) => i.billingKey)).size).toBe(5);
    expect(a.failures.filter((f) => f.serviceId === svc.id).concat(b.failures.filter((f) => f.serviceId === svc.id))).toEqual([]);
    // November for BC: $50 + 0 billable (50 calls ≤ 100 included) = $50.00 + GST $2.50 + PST $3.50.
    const bc = (await invoiceOf("bc-1")).find((i) => i.periodStart.toISOString() === "2026-11-01T04:00:00.000Z")!;
    expect(bc.totalCents).toBe(5600n);
  });
  it("prints issued invoices with the customer's details as they were when issued", async () => {
    const [issued] = await invoiceOf("on-1");
    expect(issued.billedTo).toMatchObject({ legalName: "Toronto Widgets Inc.", province: "ON", city: null });
    await svc.lago.customers.createCustomer({ customer: { external_id: "on-1", legal_name: "Toronto Widgets (Renamed) Inc.", address_line1: "1 New Street", city: "Ottawa", state: "ON", country: "CA" } });
    const document = await invoiceDocument(testDb(), issued.id);
    expect(document.customer.legalName).toBe("Toronto Widgets Inc.");
    expect(document.customer.addressLines.join(" ")).not.toContain("Ottawa");
  });
});

describe("invoices and credit notes through the API (official Lago client)", () => {
  it("lists, reads, downloads, credits and voids invoices of the calling service only", async () => {
    const svc = await createTestService("live");
    const p = svc.code;
    await svc.lago.plans.createPlan({ plan: { name: "Flat", code: `flat_${p}`, interval: "monthly", amount_cents: 10000, amount_currency: "CAD", pay_in_advance: false } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "inv-1", legal_name: "Halifax Fish Co.", state: "NS", country: "CA", timezone: "America/Halifax" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "inv-1", plan_code: `flat_${p}`, external_id: "inv-sub", subscription_at: "2025-03-01T04:00:00Z" } });
    // March 2025 is billed on April 1, when NS HST is 14 % (15 % until March 31): the tax point is the issue date.
    await runBillingCycle(testDb(), new Date("2025-04-02T00:00:00Z"), { serviceId: svc.id });

    const list = await svc.lago.invoices.findAllInvoices({ external_customer_id: "inv-1" });
    expect(list.data.meta.total_count).toBe(1);
    const listed = list.data.invoices[0];
    expect(listed).toMatchObject({ status: "finalized", payment_status: "pending", currency: "CAD", fees_amount_cents: 10000, taxes_amount_cents: 1400, total_amount_cents: 11400, total_due_amount_cents: 11400 });
    const got = (await svc.lago.invoices.findInvoice(listed.lago_id)).data.invoice;
    expect(got.fees.map((f: { amount_cents: number }) => f.amount_cents)).toEqual([10000]);
    expect(got.applied_taxes).toMatchObject([{ tax_code: "HST", tax_rate: 14, amount_cents: 1400 }]);

    const other = await createTestService("live");
    expect((await lagoFailure(other.lago.invoices.findInvoice(listed.lago_id))).body).toMatchObject({ status: 404, code: "invoice_not_found" });

    const download = (await svc.lago.invoices.downloadInvoice(listed.lago_id)).data.invoice;
    const pdf = await fetch(download.file_url);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe("%PDF-");
    const tampered = new URL(download.file_url);
    const signature = tampered.searchParams.get("signature")!;
    tampered.searchParams.set("signature", (signature[0] === "A" ? "B" : "A") + signature.slice(1));
    expect((await fetch(tampered)).status).toBe(404);

    // A $20 credit on the fee: HST credited at the invoice's 14 % → $22.80, kept as the customer's balance.
    const note = (await svc.lago.creditNotes.createCreditNote({
      credit_note: { invoice_id: listed.lago_id, reason: "product_unsatisfactory", items: [{ fee_id: got.fees[0].lago_id, amount_cents: 2000 }], credit_amount_cents: 2280 },
    })).data.credit_note;
    expect(note).toMatchObject({ number: expect.stringMatching(/^CN-\d{4}-\d{6}$/), total_amount_cents: 2280, taxes_amount_cents: 280, credit_status: "available", balance_amount_cents: 2280 });
    const tooMuch = await lagoFailure(svc.lago.creditNotes.createCreditNote({ credit_note: { invoice_id: listed.lago_id, reason: "other", items: [{ fee_id: got.fees[0].lago_id, amount_cents: 9000 }] } }));
    expect(tooMuch.body).toMatchObject({ status: 422, error_details: { "items.0.amount_cents": ["higher_than_remaining_fee_amount"] } });

    // April's invoice consumes the credit.
    await runBillingCycle(testDb(), new Date("2025-05-02T00:00:00Z"), { serviceId: svc.id });
    const april = (await svc.lago.invoices.findAllInvoices({ external_customer_id: "inv-1" })).data.invoices.find((i: { lago_id: string }) => i.lago_id !== listed.lago_id);
    expect(april).toMatchObject({ fees_amount_cents: 10000, taxes_amount_cents: 1400, credit_notes_amount_cents: 2280, total_amount_cents: 9120, total_due_amount_cents: 9120 });

    const voided = (await svc.lago.invoices.voidInvoice(april.lago_id)).data.invoice;
    expect(voided.status).toBe("voided");
    expect((await testDb().creditNote.findUniqueOrThrow({ where: { id: note.lago_id } })).balanceCents).toBe(2280n);
    expect((await lagoFailure(svc.lago.invoices.voidInvoice(april.lago_id))).body).toMatchObject({ status: 405, code: "not_voidable" });
    const byStatus = async (status: string) =>
      (await svc.lago.invoices.findAllInvoices({ external_customer_id: "inv-1", status })).data.invoices.map((i: { lago_id: string }) => i.lago_id);
    expect(await byStatus("finalized")).toEqual([listed.lago_id]);
    expect(await byStatus("voided")).toEqual([april.lago_id]);
    expect((await svc.call("/invoices?status=lost")).status).toBe(422);
  });

});

describe("period close: shadow billing of accounts that cannot be taxed", () => {
  it("bills a shadow customer without a province with no tax and a note, and still refuses a live one", async () => {
    const shadow = await createTestService("shadow");
    const live = await createTestService("live");
    for (const svc of [shadow, live]) {
      await svc.lago.plans.createPlan({ plan: { name: "Legacy", code: `legacy_${svc.code}`, interval: "monthly", amount_cents: 3000, amount_currency: "CAD", pay_in_advance: false } });
      await svc.lago.customers.createCustomer({ customer: { external_id: "no-province", legal_name: "Somewhere Inc.", country: "CA", timezone: "America/Toronto" } });
      await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "no-province", plan_code: `legacy_${svc.code}`, external_id: "sub-np", subscription_at: OCT_1 } });
    }
    const shadowRun = await runBillingCycle(testDb(), CLOSE_AT, { serviceId: shadow.id });
    expect(shadowRun.failures).toEqual([]);
    const invoice = await testDb().invoice.findFirstOrThrow({ where: { serviceId: shadow.id } });
    expect(invoice).toMatchObject({ shadow: true, status: "draft", subtotalCents: 3000n, taxesCents: 0n, totalCents: 3000n });
    expect(invoice.taxNote).toMatch(/^Tax not computed for this shadow invoice: Cannot tax customer Somewhere Inc\./);
    // Refreshing the draft applies the same rule.
    expect(await refreshDraftInvoice(testDb(), invoice.id)).toMatchObject({ taxesCents: 0n, totalCents: 3000n, taxNote: invoice.taxNote });

    const liveRun = await runBillingCycle(testDb(), CLOSE_AT, { serviceId: live.id });
    expect(liveRun.failures).toEqual([expect.objectContaining({ code: "tax_not_computable" })]);
    expect(await testDb().invoice.count({ where: { serviceId: live.id } })).toBe(0);
  });
});

describe("period close: what it writes is what it composed", () => {
  it("keeps text and documents with tabs, newlines, backslashes, quotes and accents exact, and keeps the details' keys to their invoice deferrable", async () => {
    const svc = await createTestService("live");
    const awkward = 'Forfait "été" — \\ back\tslash\nline\r\\N';
    await svc.lago.plans.createPlan({ plan: { name: "Plain", code: `awk_${svc.code}`, interval: "monthly", amount_cents: 1000, amount_currency: "CAD", pay_in_advance: false } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "awk", legal_name: "Plain Inc.", state: "ON", country: "CA", timezone: "America/Toronto" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "awk", plan_code: `awk_${svc.code}`, external_id: "sub-awk", subscription_at: OCT_1 } });
    // Straight into the ledger: names the API would not take as they are.
    await testDb().plan.updateMany({ where: { code: `awk_${svc.code}` }, data: { name: awkward } });
    const link = await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId: "awk" } } });
    await testDb().customer.update({ where: { id: link.customerId }, data: { legalName: `Client ${awkward}`, addressLine1: "1 rue \\ du\tPort", city: "Montréal" } });

    const run = await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id });
    expect(run.failures).toEqual([]);
    const invoice = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id }, include: { lines: true, taxes: true, usageWindows: true, notices: true } });
    expect(invoice).toMatchObject({ status: "finalized", subtotalCents: 1000n, taxesCents: 130n, totalCents: 1130n, currency: "CAD" });
    expect(invoice.number).toMatch(/^INV-2026-\d{6}$/);
    expect(invoice.lines.map((l) => l.description)).toEqual([`${awkward} — 2026-10-01 to 2026-10-31`]);
    expect(invoice.billedTo).toMatchObject({ legalName: `Client ${awkward}`, addressLine1: "1 rue \\ du\tPort", city: "Montréal", province: "ON", postalCode: null });
    expect(invoice.seller).toEqual(sellerOf(await companyProfile(testDb())));
    expect(invoice.sources).toEqual([{ subscriptionId: invoice.lines[0].subscriptionId, boundary: NOV_1.toISOString(), usageWindow: { start: OCT_1, end: NOV_1.toISOString() } }]);
    // Issued at once, never re-rated: its window is in its sources, not stored for a refresh (drafts: billing-invoice-pipeline).
    expect(invoice.usageWindows).toEqual([]);
    expect(invoice.taxes.map((t) => [t.code, t.rate.toString(), t.taxableAmountCents, t.amountCents])).toEqual([["HST", "13", 1000n, 130n]]);
    // Queued before the invoice was written.
    expect(invoice.notices.map((n) => [n.kind, n.step, n.status])).toEqual([["invoice_issued", 0, "pending"]]);
    const audit = await testDb().auditLog.findMany({ where: { entityType: "Invoice", entityId: invoice.id } });
    expect(audit.map((a) => [a.action, a.actorType, a.data])).toEqual([["invoice.finalized", "system", { number: invoice.number }]]);

    // The close writes an invoice's details and e-mail notice before the invoice (with a role that keeps the key checks on, deferred
    // to its commit); their keys to it are deferrable, checked at the commit
    // of a transaction that defers them, and at once everywhere else.
    const orphan = { id: crypto.randomUUID(), invoiceId: crypto.randomUUID(), kind: "subscription_fee" as const, description: "orphan", amountCents: 1n };
    const foreignKey = /foreign key|ForeignKeyConstraintViolation/i;
    await expect(testDb().invoiceLine.create({ data: orphan })).rejects.toThrow(foreignKey);
    await expect(testDb().invoiceNotice.create({ data: { invoiceId: orphan.invoiceId, kind: "invoice_issued" } })).rejects.toThrow(foreignKey);
    let insertedBeforeCommit = false;
    await expect(
      testDb().$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SET CONSTRAINTS "InvoiceLine_invoiceId_fkey" DEFERRED`);
        await tx.$executeRaw`INSERT INTO "InvoiceLine" (id, "invoiceId", kind, description, "amountCents") VALUES (${orphan.id}::uuid, ${orphan.invoiceId}::uuid, 'subscription_fee', 'orphan', 1)`;
        insertedBeforeCommit = true;
      }),
    ).rejects.toThrow(foreignKey);
    expect(insertedBeforeCommit).toBe(true);
    expect(await testDb().invoiceLine.count({ where: { id: orphan.id } })).toBe(0);
  });
});

describe("period close: rows written without per-row key checks, only where it holds their references", () => {
  const foreignKey = /foreign key|ForeignKeyConstraintViolation/i;
  const orphanLine = () =>
    `INSERT INTO "InvoiceLine" (id, "invoiceId", kind, description, "amountCents") VALUES (gen_random_uuid(), gen_random_uuid(), 'subscription_fee', 'orphan', 1)`;
  /** A client whose connections record each session_replication_role they are set to. */
  const recordingClient = (url: string) => {
    const roles: string[] = [];
    const client = statementWatchingClient(url, (text) => {
      const role = /^SET LOCAL session_replication_role = (\w+)/.exec(text);
      if (role) roles.push(role[1]);
    });
    return { client, roles };
  };

  it("skips the checks for the statements inside the span only, and for none when not allowed", async () => {
    expect(await heldReferenceWritesAllowed(testDb())).toBe(true);
    const seen: string[] = [];
    await expect(
      withTransactionConnection(testDb(), async (_tx, connection) => {
        // Inside: not checked (the close writes only rows whose references it holds).
        await writeHeldReferences(connection, true, () => connection.query(orphanLine()));
        seen.push("inside");
        // After the span, the same transaction checks again.
        await connection.query(orphanLine());
        seen.push("after");
      }),
    ).rejects.toThrow(foreignKey);
    expect(seen).toEqual(["inside"]);
    await expect(withTransactionConnection(testDb(), (_tx, connection) => writeHeldReferences(connection, false, () => connection.query(orphanLine())))).rejects.toThrow(foreignKey);
    expect(await testDb().invoiceLine.count({ where: { description: "orphan" } })).toBe(0);
  });

  it("skips nothing else: the tables written that way have only the foreign keys it holds, and no trigger, rule or deferrable unique key", async () => {
    // session_replication_role = replica also skips a table's own triggers and rules, and the recheck of a deferrable
    // unique key; a key added later to one of these tables would go unchecked. Each must fail this test first.
    const tables = ["Invoice", "InvoiceLine", "InvoiceTax", "InvoiceUsageWindow", "InvoiceNotice", "AuditLog"];
    const keys = await testDb().$queryRaw<{ key: string }[]>`
      SELECT c.conrelid::regclass::text || '.' || a.attname || ' -> ' || c.confrelid::regclass::text AS key
        FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
       WHERE c.contype = 'f' AND c.conrelid = ANY(${tables.map((t) => `"${t}"`)}::regclass[])
       ORDER BY 1`;
    expect(keys.map((k) => k.key)).toEqual([
      '"Invoice".customerId -> "Customer"', '"Invoice".serviceId -> "Service"',
      '"InvoiceLine".chargeId -> "Charge"', '"InvoiceLine".invoiceId -> "Invoice"', '"InvoiceLine".subscriptionId -> "Subscription"',
      '"InvoiceNotice".invoiceId -> "Invoice"', '"InvoiceTax".invoiceId -> "Invoice"',
      '"InvoiceUsageWindow".invoiceId -> "Invoice"', '"InvoiceUsageWindow".subscriptionId -> "Subscription"',
    ]);
    const triggers = await testDb().$queryRaw<{ trigger: string }[]>`
      SELECT t.tgrelid::regclass::text || ' ' || t.tgname || ' ' || p.proname AS trigger
        FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
       WHERE t.tgrelid = ANY(${tables.map((t) => `"${t}"`)}::regclass[]) AND p.proname NOT LIKE 'RI_FKey_%'`;
    expect(triggers).toEqual([]);
    const rules = await testDb().$queryRaw<{ rule: string }[]>`
      SELECT ev_class::regclass::text || ' ' || rulename AS rule FROM pg_rewrite WHERE ev_class = ANY(${tables.map((t) => `"${t}"`)}::regclass[])`;
    expect(rules).toEqual([]);
  });

  it("bills the same invoice for a database role that may not skip them, and leaves no row without what it names", async () => {
    const role = `nexa_plain_${uniqueSuffix()}`;
    await testDb().$executeRawUnsafe(`CREATE ROLE ${role} LOGIN PASSWORD 'plain-role'`);
    await testDb().$executeRawUnsafe(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await testDb().$executeRawUnsafe(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await testDb().$executeRawUnsafe(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    const url = new URL(testEnv.databaseUrl);
    url.username = role;
    url.password = "plain-role";
    const superuser = recordingClient(testEnv.databaseUrl);
    const plain = recordingClient(url.toString());
    try {
      expect(await heldReferenceWritesAllowed(plain.client)).toBe(false);
      const billed = [];
      for (const { client } of [superuser, plain]) {
        const svc = await createTestService("live");
        await svc.lago.plans.createPlan({ plan: { name: "Plain", code: `plain_${svc.code}`, interval: "monthly", amount_cents: 2000, amount_currency: "CAD", pay_in_advance: false } });
        await svc.lago.customers.createCustomer({ customer: { external_id: "qc", legal_name: "Québec Inc.", state: "QC", country: "CA", timezone: "America/Toronto" } });
        await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "qc", plan_code: `plain_${svc.code}`, external_id: "sub-qc", subscription_at: OCT_1 } });
        const run = await runBillingCycle(client, CLOSE_AT, { serviceId: svc.id });
        expect(run.failures).toEqual([]);
        const invoice = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id }, include: { lines: true, taxes: { orderBy: { code: "asc" } }, notices: true } });
        const subscription = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id } });
        expect(await testDb().auditLog.count({ where: { entityType: "Invoice", entityId: invoice.id } })).toBe(1);
        billed.push({
          status: invoice.status, totalCents: invoice.totalCents, lines: invoice.lines.map((l) => [l.description, l.amountCents, l.subscriptionId === subscription.id]),
          taxes: invoice.taxes.map((t) => [t.code, t.amountCents]), notices: invoice.notices.length, nextBillingAt: subscription.nextBillingAt?.toISOString(),
        });
      }
      expect(billed[0]).toEqual({
        status: "finalized", totalCents: 2300n, lines: [["Plain — 2026-10-01 to 2026-10-31", 2000n, true]], taxes: [["GST", 100n], ["QST", 200n]], notices: 1,
        nextBillingAt: "2026-12-01T05:00:00.000Z",
      });
      expect(billed[1]).toEqual(billed[0]);
      // The superuser's close wrote its details and then its invoices without the checks; the plain role's, with them.
      expect(superuser.roles).toEqual(["replica", "origin", "replica", "origin"]);
      expect(plain.roles).toEqual([]);
      // Nothing any close of this test database wrote names a row that is not there.
      const [orphans] = await testDb().$queryRaw<Record<string, bigint>[]>`
        SELECT (SELECT count(*) FROM "InvoiceLine" l WHERE NOT EXISTS (SELECT 1 FROM "Invoice" i WHERE i.id = l."invoiceId")
                   OR (l."subscriptionId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Subscription" s WHERE s.id = l."subscriptionId"))
                   OR (l."chargeId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Charge" c WHERE c.id = l."chargeId"))) AS lines,
               (SELECT count(*) FROM "InvoiceTax" t WHERE NOT EXISTS (SELECT 1 FROM "Invoice" i WHERE i.id = t."invoiceId")) AS taxes,
               (SELECT count(*) FROM "InvoiceNotice" n WHERE NOT EXISTS (SELECT 1 FROM "Invoice" i WHERE i.id = n."invoiceId")) AS notices,
               (SELECT count(*) FROM "InvoiceUsageWindow" w WHERE NOT EXISTS (SELECT 1 FROM "Invoice" i WHERE i.id = w."invoiceId")) AS windows,
               (SELECT count(*) FROM "Invoice" i WHERE NOT EXISTS (SELECT 1 FROM "Customer" c WHERE c.id = i."customerId")) AS invoices`;
      expect(orphans).toEqual({ lines: 0n, taxes: 0n, notices: 0n, windows: 0n, invoices: 0n });
    } finally {
      await superuser.client.$disconnect();
      await plain.client.$disconnect();
      await testDb().$executeRawUnsafe(`REASSIGN OWNED BY ${role} TO CURRENT_USER`);
      await testDb().$executeRawUnsafe(`DROP OWNED BY ${role}`);
      await testDb().$executeRawUnsafe(`DROP ROLE ${role}`);
    }
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, checksumOf, listMigrations, MIGRATIONS_DIR } from "@/lib/db/migrations";
import { createPrismaClient, type Db } from "@/lib/db/prisma";
import { diffDatamodels } from "@/lib/db/schema-diff";
import { Prisma } from "@/lib/generated/prisma/client";
import { createFreshDatabase, queryDatabase as query } from "../support/test-database";
import { testEnv } from "../support/env";

describe("offline migrations", () => {
  let url: string;
  let prisma: Db;

  beforeAll(async () => {
    url = await createFreshDatabase(testEnv.adminUrl, "nexa_migrations");
    prisma = createPrismaClient(url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
  });

  it("applies every migration and records it as prisma migrate deploy does", async () => {
    const report = await applyMigrations(url);
    const files = listMigrations();
    expect(files.length).toBeGreaterThan(0);
    expect(report.applied).toEqual(files.map((f) => f.name));
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; logs: string | null; rolled_back_at: Date | null }>(
      url,
      `SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(checksumOf(readFileSync(path.join(MIGRATIONS_DIR, files[i].name, "migration.sql"), "utf8")));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
    }
  });

  it("is a no-op the second time", async () => {
    const report = await applyMigrations(url);
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied).toHaveLength(listMigrations().length);
    const [{ count }] = await query<{ count: string }>(url, `SELECT count(*) FROM "_prisma_migrations"`);
    expect(Number(count)).toBe(listMigrations().length);
  });

  it("leaves prisma/schema.prisma with no changes pending (the last snapshot equals the schema)", async () => {
    const last = listMigrations().at(-1)!;
    const snapshot = readFileSync(path.join(MIGRATIONS_DIR, last.name, "schema.prisma"), "utf8");
    const current = readFileSync("prisma/schema.prisma", "utf8");
    expect(await diffDatamodels(snapshot, current, url)).toBe("");
  });

  it("produces the whole migration history from an empty database with the WASM engine", async () => {
    const current = readFileSync("prisma/schema.prisma", "utf8");
    const sql = await diffDatamodels(null, current, url);
    expect(sql).toContain('CREATE TABLE "Invoice"');
    expect(sql).toContain('CREATE TABLE "Reconciliation"');
  });

  it("creates and reads back a row of every model through Prisma Client", async () => {
    const covered = new Set<string>();
    const mark = <T>(model: string, row: T) => {
      covered.add(model);
      return row;
    };
    const service = mark("Service", await prisma.service.create({ data: { code: "svc_mig", name: "Svc" } }));
    mark("ApiKey", await prisma.apiKey.create({ data: { serviceId: service.id, prefix: "nexa_sk_migtest1", keyHash: "a".repeat(64) } }));
    const customer = mark("Customer", await prisma.customer.create({ data: { legalName: "Round Trip Inc.", province: "ON" } }));
    mark("AccountLink", await prisma.accountLink.create({ data: { serviceId: service.id, externalId: "ext-1", customerId: customer.id } }));
    const metric = mark("BillableMetric", await prisma.billableMetric.create({ data: { code: "m_mig", name: "M", aggregation: "sum", fieldName: "v" } }));
    const plan = mark("Plan", await prisma.plan.create({ data: { code: "p_mig", name: "P", amountCents: 1999n } }));
    const subscription = mark("Subscription", await prisma.subscription.create({
      data: { externalId: "sub-1", customerId: customer.id, serviceId: service.id, planId: plan.id, billingAnchorDate: new Date(), subscriptionAt: new Date() },
    }));
    const charge = mark("Charge", await prisma.charge.create({
      data: { planId: plan.id, billableMetricId: metric.id, code: "c1", chargeModel: "graduated", includedQuantity: new Prisma.Decimal("10.5"),
        properties: { graduated_ranges: [{ from_value: 0, to_value: null, per_unit_amount: "0.01", flat_amount: "0" }] } },
    }));
    mark("UsageRollup", await prisma.usageRollup.create({
      data: { serviceId: service.id, subscriptionId: subscription.id, billableMetricId: metric.id, periodStart: new Date("2026-01-01Z"), periodEnd: new Date("2026-02-01Z"), value: new Prisma.Decimal("123.456789012345"), idempotencyKey: "k1" },
    }));
    // Written by the trigger on UsageRollup, not by the app.
    mark("UsageRollupHour", await prisma.usageRollupHour.findFirstOrThrow({
      where: { subscriptionId: subscription.id, billableMetricId: metric.id, hour: new Date("2026-01-01Z") },
    }).then((hour) => (expect([hour.rows, hour.total.toString(), hour.maxPeriodEnd.toISOString()]).toEqual([1, "123.456789012345", "2026-02-01T00:00:00.000Z"]), hour)));
    mark("SubscriptionSuspension", await prisma.subscriptionSuspension.create({ data: { subscriptionId: subscription.id, suspendedAt: new Date(), reason: "Migration test" } }));
    mark("UsageEvent", await prisma.usageEvent.create({
      data: { serviceId: service.id, transactionId: "tx1", externalSubscriptionId: "sub-1", subscriptionId: subscription.id, code: "m_mig", timestamp: new Date(), properties: { v: 3 } },
    }));
    const invoice = mark("Invoice", await prisma.invoice.create({
      data: { customerId: customer.id, serviceId: service.id, periodStart: new Date("2026-01-01Z"), periodEnd: new Date("2026-02-01Z"), subtotalCents: 1999n, taxesCents: 260n, totalCents: 2259n },
    }));
    const line = mark("InvoiceLine", await prisma.invoiceLine.create({
      data: { invoiceId: invoice.id, subscriptionId: subscription.id, chargeId: charge.id, kind: "usage_charge", description: "Usage", amountCents: 1999n },
    }));
    mark("InvoiceUsageWindow", await prisma.invoiceUsageWindow.create({
      data: { invoiceId: invoice.id, subscriptionId: subscription.id, start: new Date("2026-01-15Z"), end: new Date("2026-02-01Z"), periodStart: new Date("2026-01-01Z"), periodEnd: new Date("2026-02-01Z") },
    }));
    mark("AdvanceChargeFee", await prisma.advanceChargeFee.create({
      data: { subscriptionId: subscription.id, chargeId: charge.id, transactionId: "tx1", timestamp: new Date("2026-01-20Z"), periodStart: new Date("2026-01-01Z"), periodEnd: new Date("2026-02-01Z"), units: new Prisma.Decimal("3"), amountCents: 300n, invoiceId: invoice.id },
    }));
    mark("InvoiceTax", await prisma.invoiceTax.create({
      data: { invoiceId: invoice.id, code: "HST_ON", name: "HST", rate: new Prisma.Decimal("0.13"), taxableAmountCents: 1999n, amountCents: 260n },
    }));
    const note = mark("CreditNote", await prisma.creditNote.create({ data: { invoiceId: invoice.id, customerId: customer.id, kind: "credit", reason: "other", totalCents: 100n } }));
    mark("CreditNoteLine", await prisma.creditNoteLine.create({ data: { creditNoteId: note.id, invoiceLineId: line.id, description: "x", amountCents: 100n } }));
    const payment = mark("Payment", await prisma.payment.create({ data: { invoiceId: invoice.id, customerId: customer.id, amountCents: 2259n, idempotencyKey: "pay-1" } }));
    mark("Dispute", await prisma.dispute.create({ data: { paymentId: payment.id, providerDisputeId: "dp_mig", amountCents: 100n, currency: "CAD", status: "needs_response" } }));
    mark("Refund", await prisma.refund.create({ data: { paymentId: payment.id, amountCents: 100n, providerRefundId: "re_mig" } }));
    mark("PaymentMethod", await prisma.paymentMethod.create({ data: { customerId: customer.id, providerPaymentMethodId: "pm_mig", brand: "visa", last4: "4242", isDefault: true } }));
    mark("StripeEvent", await prisma.stripeEvent.create({ data: { id: "evt_mig", type: "payment_intent.succeeded", outcome: "handled" } }));
    const campaign = mark("DunningCampaign", await prisma.dunningCampaign.create({ data: { name: "Mig", retryDays: [1, 3, 7], suspendAfterDays: 7 } }));
    mark("DunningProcess", await prisma.dunningProcess.create({ data: { invoiceId: invoice.id, campaignId: campaign.id, startedAt: new Date() } }));
    mark("EmailMessage", await prisma.emailMessage.create({ data: { toAddress: "a@b.example", subject: "Hi", kind: "test" } }));
    mark("VerificationToken", await prisma.verificationToken.create({ data: { identifier: "a@b.example", token: "t".repeat(64), expires: new Date() } }));
    const endpoint = mark("WebhookEndpoint", await prisma.webhookEndpoint.create({ data: { serviceId: service.id, url: "http://127.0.0.1:9/hook", eventTypes: ["invoice.created"] } }));
    const event = mark("WebhookEvent", await prisma.webhookEvent.create({ data: { serviceId: service.id, eventType: "invoice.created", objectType: "invoice", payload: { a: 1 } } }));
    const delivery = mark("WebhookDelivery", await prisma.webhookDelivery.create({ data: { eventId: event.id, endpointId: endpoint.id, eventSequence: event.sequence } }));
    mark("WebhookDeliveryAttempt", await prisma.webhookDeliveryAttempt.create({ data: { deliveryId: delivery.id, attempt: 1, startedAt: new Date(), statusCode: 500, latencyMs: 12 } }));
    mark("Reconciliation", await prisma.reconciliation.create({
      data: { serviceId: service.id, customerId: customer.id, period: "2026-01", computedCents: 100n, externalCents: 101n, deltaCents: -1n, status: "delta" },
    }));
    mark("ImportRun", await prisma.importRun.create({ data: { kind: "nexacloud", dryRun: true, log: [{ level: "info", message: "ok" }] } }));
    mark("NexaCloudSource", await prisma.nexaCloudSource.create({ data: { id: 1, dsnEncrypted: "v1:x", toleranceCents: 5n, tolerancePercent: "0.5" } }));
    mark("ServiceMigration", await prisma.serviceMigration.create({ data: { serviceId: service.id, sourceKind: "nexacloud", toleranceCents: 2n, tolerancePercent: "0.5", promotionSnapshot: { subscriptions: [] } } }));
    const reconciliationRun = mark("ReconciliationRun", await prisma.reconciliationRun.create({ data: { serviceId: service.id, period: "2026-09", rows: 1, matchCount: 1, deltaCount: 0, errorCount: 0, unlinkedCount: 0, totalAbsDeltaCents: 0n } }));
    mark("MigrationAlert", await prisma.migrationAlert.create({ data: { serviceId: service.id, period: "2026-09", reconciliationRunId: reconciliationRun.id, message: "drift", emailedTo: ["a@b.example"] } }));
    const staff = mark("StaffUser", await prisma.staffUser.create({ data: { email: "mig@nexa.example", name: "M", passwordHash: "x" } }));
    mark("StaffPasswordLink", await prisma.staffPasswordLink.create({ data: { staffUserId: staff.id, tokenHash: "b".repeat(64), expiresAt: new Date() } }));
    mark("CustomerLinkToken", await prisma.customerLinkToken.create({ data: { customerId: customer.id, tokenHash: "c".repeat(64), issuedByType: "staff", issuedById: staff.id, expiresAt: new Date() } }));
    mark("BillingQuarantine", await prisma.billingQuarantine.create({ data: { customerId: customer.id, serviceId: service.id, boundary: new Date(), code: "tax_not_computable", reason: "No province" } }));
    mark("RateLimitBucket", await prisma.rateLimitBucket.create({ data: { key: "mig:test", windowStart: new Date(), count: 1, updatedAt: new Date() } }));
    mark("AuditLog", await prisma.auditLog.create({ data: { actorType: "system", action: "test", entityType: "Invoice", entityId: invoice.id } }));
    mark("CreditApplication", await prisma.creditApplication.create({ data: { invoiceId: invoice.id, creditNoteId: note.id, amountCents: 50n } }));
    mark("DocumentSequence", await prisma.documentSequence.create({ data: { series: "INV-2099", nextValue: 7 } }));
    mark("CompanyProfile", await prisma.companyProfile.create({ data: { legalName: "Nexa Technologies Inc.", gstHstNumber: "123456789 RT0001" } }));
    mark("CompanyLogo", await prisma.companyLogo.create({ data: { id: "a".repeat(64), contentType: "image/png", data: Buffer.from([0x89, 0x50]) } }));
    mark("PaymentReceipt", await prisma.paymentReceipt.create({ data: { customerId: customer.id, method: "cheque", reference: "1", amountCents: BigInt(100), receivedOn: new Date("2026-11-01T00:00:00Z") } }));
    mark("BillingRun", await prisma.billingRun.create({ data: { billingUpTo: new Date(), trigger: "test" } }));
    mark("InvoiceNotice", await prisma.invoiceNotice.create({ data: { invoiceId: invoice.id, kind: "overdue_reminder", step: 7 } }));
    mark("ProviderCost", await prisma.providerCost.create({ data: { serviceId: service.id, customerId: customer.id, externalCustomerId: "x", costDate: new Date("2026-11-01T00:00:00Z"), costType: "sms", amountCents: BigInt(5), currency: "CAD", idempotencyKey: "k" } }));
    const wallet = mark("Wallet", await prisma.wallet.create({ data: { customerId: customer.id, serviceId: service.id, currency: "CAD", rateAmount: "1", balanceCents: BigInt(100) } }));
    mark("WalletTransaction", await prisma.walletTransaction.create({ data: { walletId: wallet.id, transactionType: "inbound", kind: "granted", status: "settled", amountCents: BigInt(100), creditAmount: "1" } }));
    await expect(prisma.wallet.update({ where: { id: wallet.id }, data: { balanceCents: BigInt(-1) } })).rejects.toThrow();
    mark("ReportingToken", await prisma.reportingToken.create({ data: { name: "BI", prefix: "nexa_rt_abcdefgh", tokenHash: "d".repeat(64) } }));
    const coupon = mark("Coupon", await prisma.coupon.create({ data: { serviceId: service.id, code: "c_mig", name: "C", couponType: "percentage", percentageRate: new Prisma.Decimal("10"), frequency: "forever" } }));
    mark("CouponPlan", await prisma.couponPlan.create({ data: { couponId: coupon.id, planId: plan.id } }));
    const applied = mark("AppliedCoupon", await prisma.appliedCoupon.create({ data: { couponId: coupon.id, customerId: customer.id, serviceId: service.id, percentageRate: new Prisma.Decimal("10"), frequency: "forever" } }));
    mark("InvoiceCoupon", await prisma.invoiceCoupon.create({ data: { invoiceId: invoice.id, appliedCouponId: applied.id, amountCents: 200n } }));
    mark("AddOn", await prisma.addOn.create({ data: { serviceId: service.id, code: "a_mig", name: "A", amountCents: 5000n } }));

    // Every model of the schema is exercised: a new model without a row here fails this test.
    expect([...covered].sort()).toEqual(Object.values(Prisma.ModelName).sort());

    const readBack = await prisma.invoice.findUniqueOrThrow({
      where: { id: invoice.id },
      include: { lines: { include: { creditNoteLines: true } }, taxes: true, payments: true, creditNotes: true },
    });
    expect(readBack.totalCents).toBe(2259n);
    expect(readBack.taxes[0].rate.toString()).toBe("0.13");
    expect(readBack.lines[0].creditNoteLines).toHaveLength(1);
    const rollup = await prisma.usageRollup.findFirstOrThrow({ where: { idempotencyKey: "k1" } });
    expect(rollup.value.toString()).toBe("123.456789012345");
    const fetchedCharge = await prisma.charge.findUniqueOrThrow({ where: { id: charge.id } });
    expect(fetchedCharge.includedQuantity.toString()).toBe("10.5");
    expect(customer.currency).toBe("CAD");
    expect(customer.country).toBe("CA");
  });

  it("rolls a failing migration back completely and records nothing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nexa-bad-migrations-"));
    try {
      mkdirSync(path.join(dir, "20990101000000_good"));
      writeFileSync(path.join(dir, "20990101000000_good", "migration.sql"), `CREATE TABLE "ok_table" (id int);`);
      mkdirSync(path.join(dir, "20990101000001_bad"));
      writeFileSync(path.join(dir, "20990101000001_bad", "migration.sql"), `CREATE TABLE "half_table" (id int);\nSELECT * FROM "no_such_table";`);
      const scratch = await createFreshDatabase(testEnv.adminUrl, "nexa_badmig");
      await expect(applyMigrations(scratch, { dir })).rejects.toThrow(/20990101000001_bad failed and was rolled back/);
      const tables = await query<{ table_name: string }>(scratch, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
      expect(tables.map((t) => t.table_name)).toEqual(["_prisma_migrations", "ok_table"]);
      const rows = await query<{ migration_name: string }>(scratch, `SELECT migration_name FROM "_prisma_migrations"`);
      expect(rows.map((r) => r.migration_name)).toEqual(["20990101000000_good"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

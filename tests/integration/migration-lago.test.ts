import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { dualRunQueue, syncDualRunSchedule } from "@/lib/jobs/migration-jobs";
import { decommissionChecklist, retireSource } from "@/lib/migration/decommission";
import { promoteService } from "@/lib/migration/promotion";
import { readinessReport } from "@/lib/migration/readiness";
import { saveDualRunSettings, saveSourceConnection } from "@/lib/migration/service-migration";
import { migrationSource } from "@/lib/migration/sources";
import { runCollections } from "@/lib/payments/collections";
import { requireStripe } from "@/lib/payments/stripe-client";
import { generateWebhookSecret } from "@/lib/services/api-keys";
import { testDb as db, uniqueSuffix } from "../support/api-fixture";
import { domainRefusal, seededStaffId } from "../support/domain-fixture";
import { testEnv } from "../support/env";
import { LagoFixtureServer } from "../support/lago-fixture-server";
import { waitFor, WebhookReceiver } from "../support/webhook-receiver";

// The chat product bills through Lago: a shadow service reads a (fixture) Lago instance over its real HTTP API v1 with
// the official client, runs its scheduled dual-run, reaches readiness, is promoted at a boundary and bills live once.

const NOW = new Date("2026-11-15T12:00:00Z"); // readiness looks at 2026-09 and 2026-10, which Lago invoiced
const BOUNDARY = new Date("2026-11-01T00:00:00Z");
const CLOSE_AT = new Date("2026-12-01T00:05:00Z");
const API_KEY = `lago_test_${uniqueSuffix()}`;
const ACTIVE = ["chat_acct_1", "chat_acct_2", "chat_acct_3"];

const suffix = uniqueSuffix();
const lago = new LagoFixtureServer({ apiKey: API_KEY, prefix: `lg${suffix}_`, maxPerPage: 2 });
let service: { id: string; code: string; name: string };
let staffId: string;
let boss: PgBoss;
const webhookSecret = generateWebhookSecret();
const receiver = new WebhookReceiver(webhookSecret);
/** Lago customer external id → the Stripe customer and card Lago charged. */
const legacyStripe = new Map<string, { customerId: string; paymentMethodId: string }>();

beforeAll(async () => {
  await lago.start();
  const stripe = requireStripe();
  for (const external of ACTIVE) {
    const customer = await stripe.customers.create({ name: `Lago customer ${external}`, metadata: { lago_external_id: external } });
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
    legacyStripe.set(external, { customerId: customer.id, paymentMethodId: card.id });
    const row = lago.data.customers.find((c) => c.external_id === external)!;
    // Lago keeps the Stripe customer in its billing configuration (or, for one account, in a metadata entry).
    if (row.billing_configuration.payment_provider === "stripe") row.billing_configuration.provider_customer_id = customer.id;
    else row.metadata = [{ lago_id: "md", key: "stripe_customer_id", value: customer.id, display_in_invoice: false, created_at: "2026-04-01T12:00:00Z" }];
  }
  service = await db().service.create({ data: { code: `lago_cut_${suffix}`, name: `Test Lago chat ${suffix}`, mode: "shadow", webhookSigningSecret: webhookSecret } });
  await db().webhookEndpoint.create({ data: { serviceId: service.id, url: await receiver.start(), eventTypes: [] } });
  staffId = await seededStaffId();
  boss = new PgBoss({ connectionString: testEnv.databaseUrl, schema: "pgboss", max: 2 });
  boss.on("error", () => {});
  await boss.start();
});

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: false }).catch(() => {});
  await receiver.stop();
  await lago.stop();
});

const admin = () => ({ staffId, role: "admin" as const });
const source = () => migrationSource("lago");

describe("Lago source", () => {
  it("a connection must be Lago's API root with a key; without one nothing runs; a refused key is named", async () => {
    expect(source().connectionProblems({ apiUrl: "http://127.0.0.1:1/", apiKey: "k" })).toEqual({ apiUrl: ["url_is_invalid"] });
    expect(source().connectionProblems({ apiUrl: lago.apiUrl, apiKey: "" })).toEqual({ apiKey: ["value_is_mandatory"] });
    expect(source().connectionProblems({ apiUrl: lago.apiUrl, apiKey: API_KEY })).toBeNull();
    expect((await domainRefusal(source().startImport(db(), { serviceId: service.id, dryRun: true, startedById: staffId }))).details).toEqual({ api_url: ["value_is_mandatory"] });

    await saveSourceConnection(db(), { serviceId: service.id, sourceKind: "lago", connection: { apiUrl: lago.apiUrl, apiKey: "lago_wrong_key" } });
    const refused = await source().testConnection(db(), service.id);
    expect(refused.ok).toBe(false);
    expect(refused.problems).toEqual(["Lago refused the API key (401) while reading customers."]);
  });

  it("test connection: reaches Lago with the stored key (encrypted) and counts what an import reads", async () => {
    await saveSourceConnection(db(), { serviceId: service.id, sourceKind: "lago", connection: { apiUrl: lago.apiUrl, apiKey: API_KEY }, toleranceCents: BigInt(1), tolerancePercent: "0" });
    const stored = await db().serviceMigration.findUniqueOrThrow({ where: { serviceId: service.id } });
    expect(stored.connectionEncrypted).not.toContain(API_KEY);
    const check = await source().testConnection(db(), service.id);
    expect(check).toMatchObject({ ok: true, problems: [] });
    expect(Object.fromEntries(check.facts.map((f) => [f.label, f.value]))).toEqual({ API: lago.apiUrl, customers: "4", "billable metrics": "2", plans: "2", subscriptions: "4", invoices: String(lago.data.invoices.length) });
  });

  it("a dry run reads everything and writes nothing", async () => {
    const runId = await source().startImport(db(), { serviceId: service.id, dryRun: true, startedById: staffId });
    const counts = await source().executeImport(db(), runId, { serviceId: service.id, dryRun: true, now: NOW });
    // 2 metrics, 2 plans, 4 customers, 4 subscriptions (active and terminated; a pending one was never billed), 13 usage fees.
    expect(counts).toEqual({ created: 2 + 2 + 4 + 4 + 13, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(await db().accountLink.count({ where: { serviceId: service.id } })).toBe(0);
    expect(await db().plan.count({ where: { serviceId: service.id } })).toBe(0);
    expect(await db().billableMetric.count({ where: { code: { startsWith: `lg${suffix}_` } } })).toBe(0);
    expect(await db().importRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ kind: "lago", dryRun: true, status: "succeeded" });
    // Every list was walked page by page (the fixture serves two rows a page).
    expect(lago.requests.some((r) => r.url.startsWith("/api/v1/customers?page=2&per_page=100"))).toBe(true);
    expect(lago.requests.some((r) => r.url.includes("status%5B%5D=active&status%5B%5D=terminated"))).toBe(true);
  });

  it("scheduled dual-run: the pg-boss job imports (shadow only, keyed by Lago ids) and reconciles every month Lago invoiced", async () => {
    await saveDualRunSettings(db(), service.id, { scheduleCron: "30 3 * * *", readinessMonths: 2, driftAlertMismatches: 0, driftAlertDeltaCents: BigInt(500) });
    await syncDualRunSchedule(boss, db(), service.id);
    expect((await boss.getSchedules()).find((s) => s.name === dualRunQueue(service.id))).toMatchObject({ cron: "30 3 * * *", data: { serviceId: service.id }, timezone: "UTC" });
    await boss.send(dualRunQueue(service.id), { serviceId: service.id });
    const run = (await waitFor(async () => {
      const found = await db().importRun.findFirst({ where: { serviceId: service.id, dryRun: false, status: { not: "running" } } });
      return found && (found.log as { message: string }[]).some((e) => e.message.startsWith("Reconciled 2026-10")) ? found : null;
    }, { timeoutMs: 120_000, intervalMs: 500 }))!;
    expect(run).toMatchObject({ kind: "lago", status: "succeeded", createdCount: 25, skippedCount: 0, failedCount: 0 });
    expect((run.log as { message: string }[]).map((e) => e.message).filter((m) => m.startsWith("Reconciled"))).toEqual([
      "Reconciled 2026-08 (never reconciled): 3 match, 0 delta, 0 error, 0 not imported.",
      "Reconciled 2026-09 (never reconciled): 4 match, 0 delta, 0 error, 0 not imported.",
      "Reconciled 2026-10 (never reconciled): 3 match, 0 delta, 0 error, 0 not imported.",
    ]);
    // Shadow-safe: shadow subscriptions, Lago's Stripe customer kept in metadata only, no card, no webhook to the app.
    const subs = await db().subscription.findMany({ where: { serviceId: service.id }, include: { customer: { include: { paymentMethods: true } }, plan: { include: { charges: true } } } });
    expect(subs.map((s) => [s.externalId, s.status, s.shadow]).sort()).toEqual([["chat_sub_1", "active", true], ["chat_sub_2", "active", true], ["chat_sub_3", "active", true], ["chat_sub_4", "terminated", true]]);
    expect(subs.every((s) => s.sourceId && s.customer.stripeCustomerId === null && s.customer.paymentMethods.length === 0)).toBe(true);
    expect(subs.find((s) => s.externalId === "chat_sub_2")!.plan!.charges.map((c) => c.chargeModel).sort()).toEqual(["graduated", "standard"]);
    const maple = subs.find((s) => s.externalId === "chat_sub_1")!.customer;
    expect(maple).toMatchObject({ legalName: "Maple Chat Inc.", displayName: "Maple Chat", province: "ON", country: "CA", city: "Ottawa", currency: "CAD", metadata: { lago: { externalId: "chat_acct_1", stripeCustomerId: legacyStripe.get("chat_acct_1")!.customerId } } });
    expect(await db().webhookEvent.count({ where: { serviceId: service.id } })).toBe(0);
    // The Team customer's October: $99 + (12,000 − 1,000) × ½ ¢ + 38 GB × 25 ¢, both sides pre-tax.
    const october = await db().reconciliation.findFirstOrThrow({ where: { serviceId: service.id, period: "2026-10", customer: { accountLinks: { some: { externalId: "chat_acct_2", serviceId: service.id } } } } });
    expect({ status: october.status, computed: october.computedCents, external: october.externalCents }).toEqual({ status: "match", computed: BigInt(16350), external: BigInt(16350) });

    // The next scheduled run finds nothing new: nothing written, nothing reconciled again.
    await boss.send(dualRunQueue(service.id), { serviceId: service.id });
    const second = (await waitFor(async () => {
      const found = await db().importRun.findFirst({ where: { serviceId: service.id, dryRun: false, status: { not: "running" }, id: { not: run.id } } });
      return found && (found.log as { message: string }[]).some((e) => e.message.startsWith("2026-10")) ? found : null;
    }, { timeoutMs: 120_000, intervalMs: 500 }))!;
    expect(second).toMatchObject({ createdCount: 0, updatedCount: 0, unchangedCount: 25, failedCount: 0 });
    expect((second.log as { message: string }[]).map((e) => e.message).filter((m) => /^2026-\d\d:/.test(m))).toEqual([
      "2026-08: unchanged since the last reconciliation.", "2026-09: unchanged since the last reconciliation.", "2026-10: unchanged since the last reconciliation.",
    ]);
  }, 300_000);

  it("a subscription Lago invoiced that failed to import makes the month an error naming it, never a delta", async () => {
    const plan = lago.data.plans[1];
    const saved = plan.charges[0].charge_model;
    plan.charges[0].charge_model = "dynamic"; // no equivalent here: the Team plan (and its subscription) cannot import
    try {
      const runId = await source().startImport(db(), { serviceId: service.id, dryRun: false, startedById: staffId });
      await source().executeImport(db(), runId, { serviceId: service.id, dryRun: false, now: NOW });
      const log = (await db().importRun.findUniqueOrThrow({ where: { id: runId } })).log as { entity: string; message: string }[];
      expect(log.find((e) => e.entity === "plan")!.message).toMatch(/Charge model "dynamic" .* is not supported/);
      // The subscription was imported before; an unimportable plan leaves it as it was. A fresh service shows the error.
      const fresh = await db().service.create({ data: { code: `lago_err_${suffix}`, name: `Test Lago errors ${suffix}`, mode: "shadow" } });
      await saveSourceConnection(db(), { serviceId: fresh.id, sourceKind: "lago", connection: { apiUrl: lago.apiUrl, apiKey: API_KEY } });
      const freshRun = await source().startImport(db(), { serviceId: fresh.id, dryRun: false, startedById: staffId });
      await source().executeImport(db(), freshRun, { serviceId: fresh.id, dryRun: false, now: NOW });
      const result = await source().reconcile(db(), { serviceId: fresh.id, period: "2026-10" });
      expect({ match: result.match, delta: result.delta, error: result.error }).toEqual({ match: 2, delta: 0, error: 1 });
      const row = await db().reconciliation.findFirstOrThrow({ where: { serviceId: fresh.id, period: "2026-10", status: "error" } });
      expect(row.note).toMatch(/^No imported subscription covers 2026-10, but Lago invoiced 3 fee\(s\): Lago subscription chat_sub_2 \(.+\) was invoiced for 2026-10 but failed to import: Plan chat_team was not imported\.$/);
      expect(row.deltaCents).toBeNull();
    } finally {
      plan.charges[0].charge_model = saved;
    }
  });

  it("readiness: Lago's addresses and Stripe customers are enough once plans are mapped; promotion at the boundary adopts the cards", async () => {
    let report = await readinessReport(db(), service.id, { now: NOW });
    expect(report.conditions.filter((c) => !c.met).map((c) => c.key)).toEqual(["plans_mapped"]);
    expect((await domainRefusal(promoteService(db(), { serviceId: service.id, boundary: BOUNDARY, actor: admin(), now: NOW }))).code).toBe("plans_not_mapped");

    for (const legacy of await db().plan.findMany({ where: { serviceId: service.id, code: { startsWith: `${service.code}_lago_` } }, include: { charges: { where: { deletedAt: null } } } })) {
      const live = await db().plan.create({
        data: {
          serviceId: service.id, code: legacy.code.replace("_lago_", "_live_"), name: `${legacy.name} (live)`, interval: "monthly", amountCents: legacy.amountCents, payInAdvance: false,
          charges: { create: legacy.charges.map((c) => ({ billableMetricId: c.billableMetricId, code: c.code, chargeModel: c.chargeModel, properties: c.properties ?? {}, position: c.position })) },
        },
      });
      await db().plan.update({ where: { id: legacy.id }, data: { cutoverPlanId: live.id } });
    }
    report = await readinessReport(db(), service.id, { now: NOW });
    expect(report.conditions.filter((c) => !c.met)).toEqual([]);
    expect(report.months.map((m) => [m.period, m.reconciled])).toEqual([["2026-09", true], ["2026-10", true]]);

    const lastEventBefore = (await db().webhookEvent.aggregate({ _max: { sequence: true } }))._max.sequence ?? BigInt(0);
    const summary = await promoteService(db(), { serviceId: service.id, boundary: BOUNDARY, actor: { staffId, role: "finance" }, now: NOW });
    expect(summary).toMatchObject({ subscriptions: 3, customers: 3, cardsAdopted: 3, overridden: [] });
    const subs = await db().subscription.findMany({ where: { serviceId: service.id, status: "active" }, include: { plan: true, customer: { include: { paymentMethods: true, accountLinks: true } } } });
    for (const sub of subs) {
      // Lago invoiced up to October 31 for every active account: the first live period starts on November 1.
      expect({ ext: sub.externalId, shadow: sub.shadow, live: sub.plan!.code.includes("_live_"), startedAt: sub.startedAt, next: sub.nextBillingAt }).toEqual({
        ext: sub.externalId, shadow: false, live: true, startedAt: BOUNDARY, next: new Date("2026-12-01T00:00:00Z"),
      });
      const external = sub.customer.accountLinks.find((l) => l.serviceId === service.id)!.externalId;
      expect(sub.customer.stripeCustomerId).toBe(legacyStripe.get(external)!.customerId);
      expect(sub.customer.paymentMethods).toEqual([expect.objectContaining({ providerPaymentMethodId: legacyStripe.get(external)!.paymentMethodId, isDefault: true })]);
    }
    const events = await db().webhookEvent.findMany({ where: { serviceId: service.id, sequence: { gt: lastEventBefore } } });
    expect(new Set(events.filter((e) => e.eventType === "subscription.started").map((e) => (e.payload as { external_id: string }).external_id))).toEqual(new Set(["chat_sub_1", "chat_sub_2", "chat_sub_3"]));
  });

  it("the next period close bills each customer live exactly once, for November only, and charges the adopted card", async () => {
    // November's usage, as the app now sends it to Nexa Billing.
    const team = await db().subscription.findFirstOrThrow({ where: { serviceId: service.id, externalId: "chat_sub_2", status: "active" }, include: { plan: { include: { charges: { include: { billableMetric: true } } } } } });
    const messages = team.plan!.charges.find((c) => c.billableMetric.aggregation === "count")!.billableMetric;
    await db().usageRollup.create({ data: { serviceId: service.id, subscriptionId: team.id, billableMetricId: messages.id, periodStart: BOUNDARY, periodEnd: new Date("2026-11-20T00:00:00Z"), value: 3000, idempotencyKey: `nov-${suffix}` } });

    const first = await runBillingCycle(db(), CLOSE_AT, { serviceId: service.id });
    const again = await runBillingCycle(db(), CLOSE_AT, { serviceId: service.id });
    expect(first.invoicesCreated).toBe(3);
    expect(again.invoicesCreated).toBe(0);
    const invoices = await db().invoice.findMany({ where: { serviceId: service.id, shadow: false }, include: { lines: true, customer: { include: { accountLinks: true } } } });
    expect(invoices).toHaveLength(3);
    expect(new Set(invoices.map((i) => i.customerId)).size).toBe(3);
    for (const invoice of invoices) {
      expect({ status: invoice.status, start: invoice.periodStart, end: invoice.periodEnd }).toEqual({ status: "finalized", start: BOUNDARY, end: new Date("2026-12-01T00:00:00Z") });
    }
    // Nothing Lago invoiced (up to October 31) is billed again.
    expect(await db().invoiceLine.count({ where: { invoice: { serviceId: service.id }, periodStart: { lt: BOUNDARY } } })).toBe(0);
    const teamInvoice = invoices.find((i) => i.lines.some((l) => l.subscriptionId === team.id))!;
    // $99 and 3,000 messages on the live Team plan: (3,000 − 1,000) × ½ ¢; no storage used, so no storage line.
    expect(teamInvoice.lines.map((l) => [l.kind, l.amountCents]).sort()).toEqual([["subscription_fee", BigInt(9900)], ["usage_charge", BigInt(1000)]]);

    await runCollections(db(), new Date("2026-12-01T01:00:00Z"), { serviceId: service.id });
    const stripe = requireStripe();
    for (const invoice of invoices) {
      const paid = await db().invoice.findUniqueOrThrow({ where: { id: invoice.id }, include: { payments: true } });
      expect({ status: paid.status, payments: paid.payments.map((p) => p.status) }).toEqual({ status: "paid", payments: ["succeeded"] });
      const external = invoice.customer.accountLinks.find((l) => l.serviceId === service.id)!.externalId;
      const intents = await stripe.paymentIntents.list({ customer: legacyStripe.get(external)!.customerId });
      expect(intents.data).toHaveLength(1);
      expect(intents.data[0]).toMatchObject({ status: "succeeded", amount: Number(invoice.totalCents), currency: "cad", payment_method: legacyStripe.get(external)!.paymentMethodId });
    }
  });

  it("decommission reads Lago's open invoices; once settled, the source is retired", async () => {
    lago.data.invoices[0].payment_status = "pending";
    let checklist = await decommissionChecklist(db(), service.id);
    expect(checklist.items.find((i) => i.key === "old_open_invoices")).toMatchObject({ met: false, detail: `1 invoice(s) still open in Lago: ${lago.data.invoices[0].number} (2026-09, finalized, payment pending).` });
    lago.data.invoices[0].payment_status = "succeeded";
    checklist = await retireSource(db(), { serviceId: service.id, actor: { staffId, role: "finance" } });
    expect(checklist).toMatchObject({ state: "retired", complete: true });
    expect((await domainRefusal(source().startImport(db(), { serviceId: service.id, dryRun: false, startedById: staffId }))).code).toBe("source_retired");
  });
});

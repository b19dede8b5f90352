import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { readinessReport } from "@/lib/migration/readiness";
import { promoteService, revertPromotion } from "@/lib/migration/promotion";
import { decommissionChecklist, retireSource } from "@/lib/migration/decommission";
import { runDualRun } from "@/lib/migration/dual-run";
import { reconcileMonth, saveSourceConnection } from "@/lib/migration/service-migration";
import { migrationSource } from "@/lib/migration/sources";
import { createFixtureDatabase, createSelectOnlyRole, EDGE_USERS } from "@/lib/nexacloud/fixture";
import { CPU_METRIC_CODE } from "@/lib/nexacloud/importer";
import { runCollections } from "@/lib/payments/collections";
import { requireStripe } from "@/lib/payments/stripe-client";
import { generateWebhookSecret } from "@/lib/services/api-keys";
import { testDb as db, uniqueSuffix } from "../support/api-fixture";
import { domainRefusal, seededStaffId } from "../support/domain-fixture";
import { testEnv } from "../support/env";
import { waitFor, WebhookReceiver } from "../support/webhook-receiver";

// A small NexaCloud (the edge cases that can never reconcile removed, as a finance team would have settled them), with
// real Stripe customers and saved cards at the local Stripe server, taken from dual-run to live.

const NOW = new Date("2026-11-15T12:00:00Z"); // readiness looks at 2026-09 and 2026-10, which NexaCloud invoiced
const BOUNDARY = new Date("2026-11-01T00:00:00Z");
const CLOSE_AT = new Date("2026-12-01T00:05:00Z");
const KEPT_USERS = [EDGE_USERS.underIncluded, EDGE_USERS.overage, EDGE_USERS.centOff, EDGE_USERS.outsideCanada, EDGE_USERS.startedMidMonth];

let fixtureUrl: string;
let service: { id: string; code: string };
let staffId: string;
const webhookSecret = generateWebhookSecret();
const receiver = new WebhookReceiver(webhookSecret);
/** NexaCloud user id → the Stripe customer and card NexaCloud charged. */
const legacyStripe = new Map<string, { customerId: string; paymentMethodId: string }>();

async function sourceAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: fixtureUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  const fixture = await createFixtureDatabase(testEnv.adminUrl, { seed: 11, users: 12, prefix: "nexacloud_cutover" });
  fixtureUrl = fixture.url;
  const stripe = requireStripe();
  await sourceAdmin(async (client) => {
    const gone = Array.from({ length: 12 }, (_, i) => i + 1).filter((id) => !(KEPT_USERS as number[]).includes(id));
    await client.query("DELETE FROM invoice_items WHERE user_id = ANY($1)", [gone]);
    await client.query("DELETE FROM invoices WHERE user_id = ANY($1)", [gone]);
    await client.query("DELETE FROM usage WHERE deployment_id IN (SELECT id FROM deployments WHERE user_id = ANY($1)) OR subscription_id IN (SELECT id FROM subscriptions WHERE user_id = ANY($1))", [gone]);
    await client.query("DELETE FROM deployments WHERE user_id = ANY($1)", [gone]);
    await client.query("DELETE FROM subscriptions WHERE user_id = ANY($1)", [gone]);
    await client.query("DELETE FROM users WHERE id = ANY($1)", [gone]);
    // The cards NexaCloud's customers saved, at (the local) Stripe.
    for (const userId of KEPT_USERS) {
      const customer = await stripe.customers.create({ name: `NexaCloud user ${userId}`, metadata: { nexacloud_user_id: String(userId) } });
      const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
      await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
      await client.query("UPDATE users SET stripe_customer_id = $1 WHERE id = $2", [customer.id, userId]);
      legacyStripe.set(String(userId), { customerId: customer.id, paymentMethodId: card.id });
    }
  });
  const readerDsn = await createSelectOnlyRole(fixtureUrl);
  const s = uniqueSuffix();
  service = await db().service.create({ data: { code: `nxc_cut_${s}`, name: `Test NexaCloud cutover ${s}`, mode: "shadow", webhookSigningSecret: webhookSecret } });
  await db().webhookEndpoint.create({ data: { serviceId: service.id, url: await receiver.start(), eventTypes: [] } });
  await saveSourceConnection(db(), { serviceId: service.id, sourceKind: "nexacloud", connection: { dsn: readerDsn }, toleranceCents: BigInt(1), tolerancePercent: "0" });
  staffId = await seededStaffId();
});

afterAll(async () => {
  await receiver.stop();
});

const admin = () => ({ staffId, role: "admin" as const });

describe("NexaCloud cutover", () => {
  it("imports and reconciles the last two months through the source interface", async () => {
    const source = migrationSource("nexacloud");
    const runId = await source.startImport(db(), { serviceId: service.id, dryRun: false, startedById: staffId });
    const counts = await source.executeImport(db(), runId, { serviceId: service.id, dryRun: false, now: NOW });
    expect(counts).toMatchObject({ created: expect.any(Number), failed: 1 }); // the overage user's negative usage row
    expect(await db().subscription.count({ where: { serviceId: service.id, shadow: true, status: "active" } })).toBe(KEPT_USERS.length);
    for (const period of ["2026-09", "2026-10"]) {
      const result = await reconcileMonth(db(), service.id, period);
      expect({ period, match: result.match, delta: result.delta, error: result.error, unlinked: result.unlinked.length }).toEqual({ period, match: KEPT_USERS.length, delta: 0, error: 0, unlinked: 0 });
    }
  });

  it("readiness lists each unmet condition with a link to fix it, and promotion is refused", async () => {
    const report = await readinessReport(db(), service.id, { now: NOW });
    expect(report.ready).toBe(false);
    expect(report.months.map((m) => [m.period, m.reconciled])).toEqual([["2026-09", true], ["2026-10", true]]);
    const byKey = Object.fromEntries(report.conditions.map((c) => [c.key, c]));
    expect(byKey.months_reconciled.met).toBe(true);
    expect(byKey.payment_methods.met).toBe(true); // every NexaCloud Stripe customer has a saved card
    expect(byKey.billing_addresses.problems).toHaveLength(KEPT_USERS.length); // NexaCloud never had postal addresses
    expect(byKey.billing_addresses.problems[0].href).toMatch(/^\/console\/customers\/[0-9a-f-]{36}$/);
    expect(byKey.plans_mapped.met).toBe(false);
    expect(byKey.plans_mapped.problems.every((p) => p.href.startsWith(`/console/plans/${service.code}_legacy_`))).toBe(true);

    const refusal = await domainRefusal(promoteService(db(), { serviceId: service.id, boundary: BOUNDARY, actor: admin(), now: NOW }));
    expect(refusal.code).toBe("plans_not_mapped");
    // An override never makes up for a plan with nowhere to go.
    expect((await domainRefusal(promoteService(db(), { serviceId: service.id, boundary: BOUNDARY, actor: admin(), now: NOW, overrideReason: "Finance signed off on the October figures." }))).code).toBe("plans_not_mapped");
    expect(await db().subscription.count({ where: { serviceId: service.id, shadow: false } })).toBe(0);
  });

  it("a month with an error row is never counted as reconciled", async () => {
    const row = await db().reconciliation.findFirstOrThrow({ where: { serviceId: service.id, period: "2026-10" } });
    await db().reconciliation.update({ where: { id: row.id }, data: { status: "error", note: "Test: an invoiced subscription failed to import." } });
    try {
      const report = await readinessReport(db(), service.id, { now: NOW });
      expect(report.months.find((m) => m.period === "2026-10")).toMatchObject({ reconciled: false, error: 1 });
      expect(report.conditions.find((c) => c.key === "months_reconciled")!.problems[0]).toEqual({
        message: "2026-10 is not reconciled within tolerance: 1 error.", href: `/console/reconciliation?service=${service.id}&period=2026-10&status=error`,
      });
    } finally {
      await db().reconciliation.update({ where: { id: row.id }, data: { status: "match", note: null } });
    }
  });

  it("once addresses are filled in and plans mapped, the service is ready; a non-admin cannot override, an admin's override is audited", async () => {
    const metric = await db().billableMetric.findFirstOrThrow({ where: { code: CPU_METRIC_CODE, deletedAt: null }, orderBy: { createdAt: "asc" } });
    const legacyPlans = await db().plan.findMany({ where: { serviceId: service.id, code: { startsWith: `${service.code}_legacy_` } }, include: { subscriptions: { include: { charges: true } } } });
    for (const legacy of legacyPlans) {
      // The live plan keeps NexaCloud's price: same fee, same included CPU time and overage price.
      const charge = legacy.subscriptions[0]?.charges[0];
      const live = await db().plan.create({
        data: {
          serviceId: service.id, code: `${service.code}_live_${legacy.code.split("_").pop()}`, name: `${legacy.name} (live)`, interval: "monthly", amountCents: legacy.amountCents, payInAdvance: false,
          charges: charge ? { create: { billableMetricId: metric.id, code: CPU_METRIC_CODE, chargeModel: "standard", properties: charge.properties ?? {}, includedQuantity: charge.includedQuantity } } : undefined,
        },
      });
      await db().plan.update({ where: { id: legacy.id }, data: { cutoverPlanId: live.id } });
    }

    // Addresses: everyone but one customer.
    const customers = await db().customer.findMany({ where: { accountLinks: { some: { serviceId: service.id } } }, orderBy: { legalName: "asc" } });
    for (const c of customers.slice(1)) await db().customer.update({ where: { id: c.id }, data: { addressLine1: "1 Main St", city: "Ottawa", postalCode: "K1A 0A1", province: c.country === "CA" ? (c.province ?? "ON") : c.province } });
    let report = await readinessReport(db(), service.id, { now: NOW });
    expect(report.conditions.filter((c) => !c.met).map((c) => [c.key, c.problems.map((p) => p.href)])).toEqual([["billing_addresses", [`/console/customers/${customers[0].id}`]]]);

    const notAdmin = await domainRefusal(promoteService(db(), { serviceId: service.id, boundary: BOUNDARY, actor: { staffId, role: "finance" }, now: NOW, overrideReason: "Finance signed off on the figures." }));
    expect(notAdmin.code).toBe("override_needs_admin");
    expect((await domainRefusal(promoteService(db(), { serviceId: service.id, boundary: BOUNDARY, actor: admin(), now: NOW }))).code).toBe("service_not_ready");
    expect((await domainRefusal(promoteService(db(), { serviceId: service.id, boundary: BOUNDARY, actor: admin(), now: NOW, overrideReason: "ok" }))).details).toEqual({ override_reason: ["too_short"] });

    // An admin promotes anyway with a written reason; it is audited with what was not met. Then the cutover is undone.
    const reason = "The customer's address is on the signed contract; finance adds it this week.";
    const overridden = await promoteService(db(), { serviceId: service.id, boundary: BOUNDARY, actor: admin(), now: NOW, overrideReason: reason });
    expect(overridden.overridden.map((c) => c.key)).toEqual(["billing_addresses"]);
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "migration.promoted", entityId: service.id } });
    expect(audit).toMatchObject({ actorType: "staff", actorId: staffId, data: expect.objectContaining({ overrideReason: reason, unmetConditions: [{ key: "billing_addresses", problems: [expect.stringContaining(customers[0].legalName)] }] }) });
    const reverted = await revertPromotion(db(), { serviceId: service.id, actor: admin(), reason: "Promoted too early: wait for the address." });
    expect(reverted).toEqual({ subscriptions: KEPT_USERS.length, draftsDeleted: 0 });
    expect(await db().subscription.count({ where: { serviceId: service.id, shadow: true, status: "active" } })).toBe(KEPT_USERS.length);
    expect(await db().paymentMethod.count({ where: { customerId: { in: customers.map((c) => c.id) } } })).toBe(0);
    expect(await db().customer.count({ where: { id: { in: customers.map((c) => c.id) }, stripeCustomerId: { not: null } } })).toBe(0);
    expect((await db().service.findUniqueOrThrow({ where: { id: service.id } })).mode).toBe("shadow");

    await db().customer.update({ where: { id: customers[0].id }, data: { addressLine1: "2 Main St", city: "Montréal", postalCode: "H2X 1Y4", province: customers[0].country === "CA" ? (customers[0].province ?? "QC") : customers[0].province } });
    report = await readinessReport(db(), service.id, { now: NOW });
    expect(report.conditions.filter((c) => !c.met)).toEqual([]);
    expect(report.ready).toBe(true);
  });

  it("promotes at the boundary: live subscriptions on live plans from where NexaCloud stopped, adopted cards, events to the app", async () => {
    const lastEventBefore = (await db().webhookEvent.aggregate({ _max: { sequence: true } }))._max.sequence ?? BigInt(0);
    const summary = await promoteService(db(), { serviceId: service.id, boundary: BOUNDARY, actor: { staffId, role: "finance" }, now: NOW });
    expect(summary).toMatchObject({ subscriptions: KEPT_USERS.length, customers: KEPT_USERS.length, cardsAdopted: KEPT_USERS.length, overridden: [] });
    expect((await db().service.findUniqueOrThrow({ where: { id: service.id } })).mode).toBe("live");
    expect(await db().serviceMigration.findUniqueOrThrow({ where: { serviceId: service.id } })).toMatchObject({ state: "live", promotionBoundary: BOUNDARY, promotionOverrideReason: null });

    const subs = await db().subscription.findMany({ where: { serviceId: service.id }, include: { plan: true, charges: true, customer: { include: { paymentMethods: true, accountLinks: true } } } });
    for (const sub of subs) {
      // NexaCloud invoiced up to October: the first live period starts on November 1, whatever the subscription's age.
      expect({ ext: sub.externalId, shadow: sub.shadow, plan: sub.plan!.code.includes("_live_"), startedAt: sub.startedAt, next: sub.nextBillingAt }).toEqual({
        ext: sub.externalId, shadow: false, plan: true, startedAt: BOUNDARY, next: new Date("2026-12-01T00:00:00Z"),
      });
      expect(sub.charges.every((c) => c.deletedAt !== null)).toBe(true); // the live plan prices CPU time now
      const userId = sub.customer.accountLinks.find((l) => l.serviceId === service.id)!.externalId;
      const legacy = legacyStripe.get(userId)!;
      expect(sub.customer.stripeCustomerId).toBe(legacy.customerId);
      expect(sub.customer.paymentMethods).toEqual([expect.objectContaining({ providerPaymentMethodId: legacy.paymentMethodId, isDefault: true, brand: "visa", last4: "4242" })]);
    }
    // The app hears about each subscription going live (recorded with the change, delivered signed by the app server's worker).
    const events = await db().webhookEvent.findMany({ where: { serviceId: service.id, sequence: { gt: lastEventBefore } }, orderBy: { sequence: "asc" } });
    const started = events.filter((e) => e.eventType === "subscription.started");
    expect(new Set(started.map((e) => (e.payload as { external_id: string }).external_id))).toEqual(new Set(subs.map((s) => s.externalId)));
    expect(events.filter((e) => e.eventType === "subscription.updated")).toHaveLength(KEPT_USERS.length); // plan swapped to the live one
    const delivered = (await waitFor(() => {
      const got = receiver.received.filter((w) => started.some((e) => e.id === w.eventId));
      return got.length === started.length ? got : null;
    }, { timeoutMs: 120_000, intervalMs: 250 }))!;
    expect(delivered.every((w) => w.nexaSignatureValid && w.type === "subscription.started" && (w.body.subscription as { status: string }).status === "active")).toBe(true);
  }, 240_000); // deliveries by the app server's worker: slow on a loaded machine

  it("the next period close bills each customer live exactly once, for November only, and charges the adopted card", async () => {
    const first = await runBillingCycle(db(), CLOSE_AT, { serviceId: service.id });
    const again = await runBillingCycle(db(), CLOSE_AT, { serviceId: service.id });
    expect(again.invoicesCreated).toBe(0);
    const invoices = await db().invoice.findMany({ where: { serviceId: service.id, shadow: false }, include: { lines: true, customer: true } });
    expect(first.invoicesCreated).toBe(KEPT_USERS.length);
    expect(invoices).toHaveLength(KEPT_USERS.length);
    expect(new Set(invoices.map((i) => i.customerId)).size).toBe(KEPT_USERS.length);
    for (const invoice of invoices) {
      expect({ status: invoice.status, numbered: invoice.number !== null, start: invoice.periodStart, end: invoice.periodEnd }).toEqual({
        status: "finalized", numbered: true, start: BOUNDARY, end: new Date("2026-12-01T00:00:00Z"),
      });
      const fee = invoice.lines.find((l) => l.kind === "subscription_fee")!;
      expect(fee.amountCents).toBeGreaterThan(BigInt(0));
    }
    // No live line covers anything NexaCloud invoiced (up to October 31).
    expect(await db().invoiceLine.count({ where: { invoice: { serviceId: service.id, shadow: false }, periodStart: { lt: BOUNDARY } } })).toBe(0);

    await runCollections(db(), new Date("2026-12-01T01:00:00Z"), { serviceId: service.id });
    const stripe = requireStripe();
    for (const invoice of invoices) {
      const paid = await db().invoice.findUniqueOrThrow({ where: { id: invoice.id }, include: { payments: true } });
      expect({ id: invoice.id, status: paid.status, payments: paid.payments.map((p) => p.status) }).toEqual({ id: invoice.id, status: "paid", payments: ["succeeded"] });
      const intents = await stripe.paymentIntents.list({ customer: invoice.customer.stripeCustomerId! });
      expect(intents.data).toHaveLength(1);
      const userId = [...legacyStripe.entries()].find(([, l]) => l.customerId === invoice.customer.stripeCustomerId)![0];
      expect(intents.data[0]).toMatchObject({ status: "succeeded", amount: Number(invoice.totalCents), currency: "cad", payment_method: legacyStripe.get(userId)!.paymentMethodId });
    }
  });

  it("cannot be undone once a live invoice is finalized", async () => {
    const refusal = await domainRefusal(revertPromotion(db(), { serviceId: service.id, actor: admin(), reason: "Trying to undo after billing." }));
    expect(refusal.code).toBe("live_invoice_finalized");
    expect((await db().service.findUniqueOrThrow({ where: { id: service.id } })).mode).toBe("live");
  });

  it("decommission: the checklist says what is left, the source is retired and its history becomes read-only", async () => {
    let checklist = await decommissionChecklist(db(), service.id);
    expect(Object.fromEntries(checklist.items.map((i) => [i.key, i.met]))).toEqual({ promoted: true, last_import: true, last_reconciliation: true, outstanding_deltas: true, old_open_invoices: true });
    expect(checklist.complete).toBe(true);
    // NexaCloud still waits for one customer's payment: the checklist names the invoice and retiring needs a reason.
    await sourceAdmin((client) => client.query("UPDATE invoices SET status = 'open' WHERE id = (SELECT min(id) FROM invoices)"));
    checklist = await decommissionChecklist(db(), service.id);
    expect(checklist.items.find((i) => i.key === "old_open_invoices")).toMatchObject({ met: false, detail: expect.stringMatching(/^1 invoice\(s\) still open in NexaCloud: \d+ \(2026-\d\d, open\)\.$/) });
    expect((await domainRefusal(retireSource(db(), { serviceId: service.id, actor: admin() }))).code).toBe("checklist_incomplete");
    expect((await domainRefusal(retireSource(db(), { serviceId: service.id, actor: { staffId, role: "finance" }, reason: "NexaCloud collects that one itself." }))).code).toBe("override_needs_admin");

    await sourceAdmin((client) => client.query("UPDATE invoices SET status = 'paid'"));
    checklist = await retireSource(db(), { serviceId: service.id, actor: { staffId, role: "finance" } });
    expect(checklist).toMatchObject({ state: "retired", complete: true });
    expect(await db().serviceMigration.findUniqueOrThrow({ where: { serviceId: service.id } })).toMatchObject({ state: "retired", scheduleCron: null, retiredAt: expect.any(Date) });
    expect(await db().auditLog.count({ where: { action: "migration.source_retired", entityId: service.id } })).toBe(1);

    // Read-only: no more reconciliation, import or dual-run; the history stays.
    expect((await domainRefusal(reconcileMonth(db(), service.id, "2026-10"))).code).toBe("source_retired");
    expect((await domainRefusal(migrationSource("nexacloud").startImport(db(), { serviceId: service.id, dryRun: false, startedById: staffId }))).code).toBe("source_retired");
    expect((await runDualRun(db(), service.id)).skipped).toBe("The source is retired.");
    expect(await db().reconciliation.count({ where: { serviceId: service.id } })).toBe(KEPT_USERS.length * 2);
  });
});

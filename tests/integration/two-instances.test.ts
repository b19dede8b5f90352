import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "@/lib/db/migrations";
import { createPrismaClient, type Db } from "@/lib/db/prisma";
import { PERIOD_CLOSE_QUEUE } from "@/lib/jobs/billing-jobs";
import { generateApiKey, generateWebhookSecret } from "@/lib/services/api-keys";
import { startAppServer, type AppServer } from "../support/app-server";
import { testEnv } from "../support/env";
import { createFreshDatabase } from "../support/test-database";
import { waitFor, WebhookReceiver } from "../support/webhook-receiver";

// October 2026 in Toronto; a billing run up to CLOSE_AT bills October only.
const OCT_1 = "2026-10-01T04:00:00.000Z";
const CLOSE_AT = new Date("2026-11-01T12:00:00.000Z");
const SUBSCRIPTIONS = 6;

/**
 * The app is stateless: two `next start` processes on one PostgreSQL share ingestion, billing runs (pg-boss workers
 * in both) and webhook delivery (a worker in both), and every result happens exactly once.
 */
describe("two app instances on one database", () => {
  let url: string;
  let prisma: Db;
  let apps: AppServer[] = [];
  const receiver = new WebhookReceiver("");
  let apiKey = "";
  let serviceId = "";
  const call = (app: AppServer, path: string, body?: unknown) =>
    fetch(`${app.baseUrl}/api/billing/v1${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    url = await createFreshDatabase(testEnv.adminUrl, "nexa_two");
    await applyMigrations(url);
    prisma = createPrismaClient(url);
    await prisma.companyProfile.create({
      data: { id: 1, legalName: "Nexa Technologies Inc.", addressLine1: "1 Yonge St", city: "Toronto", province: "ON", postalCode: "M5E 1E5", gstHstNumber: "123456789 RT0001" },
    });
    const key = generateApiKey();
    const secret = generateWebhookSecret();
    Object.assign(receiver, { secret });
    const endpointUrl = await receiver.start();
    const service = await prisma.service.create({
      data: { code: "twin", name: "Twin", mode: "live", webhookSigningSecret: secret, apiKeys: { create: { prefix: key.prefix, keyHash: key.hash } }, webhookEndpoints: { create: { url: endpointUrl, eventTypes: [] } } },
    });
    apiKey = key.key;
    serviceId = service.id;
    apps = await Promise.all([startAppServer({ databaseUrl: url }), startAppServer({ databaseUrl: url })]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await receiver.stop();
    await prisma?.$disconnect();
  });

  it("counts usage once, bills each period once and delivers each webhook once", async () => {
    const [a, b] = apps;
    expect((await call(a, "/billable_metrics", { billable_metric: { name: "Calls", code: "calls", aggregation_type: "sum_agg", field_name: "n" } })).status).toBe(200);
    const metricId = (await (await call(a, "/billable_metrics/calls")).json()).billable_metric.lago_id;
    expect((await call(b, "/plans", { plan: { name: "Std", code: "std", interval: "monthly", amount_cents: 1000, amount_currency: "CAD", pay_in_advance: false,
      charges: [{ billable_metric_id: metricId, charge_model: "standard", properties: { amount: "0.01" } }] } })).status).toBe(200);
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      const app = apps[i % 2];
      expect((await call(app, "/customers", { customer: { external_id: `c${i}`, name: `C${i}`, state: "ON", country: "CA", timezone: "America/Toronto" } })).status).toBe(200);
      expect((await call(app, "/subscriptions", { subscription: { external_customer_id: `c${i}`, plan_code: "std", external_id: `s${i}`, subscription_at: OCT_1 } })).status).toBe(200);
    }

    // Ingestion: 8 clients push the same 300 records (and 120 events) in different orders, each request to either
    // instance, every batch retried on the other one as a client would after a timeout.
    const record = (k: number) => ({ external_subscription_id: `s${k % SUBSCRIPTIONS}`, code: "calls", timestamp: `2026-10-${String(2 + (k % 27)).padStart(2, "0")}T12:00:00Z`, value: String(k + 1), idempotency_key: `r${k}` });
    const event = (k: number) => ({ transaction_id: `e${k}`, external_subscription_id: `s${k % SUBSCRIPTIONS}`, code: "calls", timestamp: Math.floor(Date.parse("2026-10-15T00:00:00Z") / 1000) + k, properties: { n: 1000 } });
    const client = async (n: number) => {
      const statuses: number[] = [];
      const order = Array.from({ length: 300 }, (_, k) => (k * 7 + n * 37) % 300);
      for (let i = 0; i < order.length; i += 30) {
        const batch = order.slice(i, i + 30).map(record);
        statuses.push((await call(apps[(n + i) % 2], "/usage/batch", { usage: batch })).status);
        statuses.push((await call(apps[(n + i + 1) % 2], "/usage/batch", { usage: batch })).status);
        statuses.push((await call(apps[n % 2], "/usage", { usage: record(order[i]) })).status);
        const events = Array.from({ length: 12 }, (_, j) => event((i / 30) * 12 + j));
        statuses.push((await call(apps[(n + 1) % 2], "/events/batch", { events })).status);
        statuses.push((await call(apps[n % 2], "/events", { event: events[n % 12] })).status);
      }
      return statuses;
    };
    const statuses = (await Promise.all(Array.from({ length: 8 }, (_, n) => client(n)))).flat();
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await prisma.usageRollup.count()).toBe(300);
    expect(await prisma.usageEvent.count()).toBe(120);

    // Billing: four runs queued at once; both instances' pg-boss workers take them concurrently.
    const runs = await Promise.all(Array.from({ length: 4 }, () => prisma.billingRun.create({ data: { status: "queued", trigger: "console", billingUpTo: CLOSE_AT } })));
    const sender = new PgBoss({ connectionString: url, schema: "pgboss", max: 1, supervise: false, schedule: false });
    await sender.start();
    try {
      await Promise.all(runs.map((run) => sender.send(PERIOD_CLOSE_QUEUE, { billingRunId: run.id, trigger: "console" })));
    } finally {
      await sender.stop({ graceful: false, wait: true });
    }
    await waitFor(async () => (await prisma.billingRun.count({ where: { id: { in: runs.map((r) => r.id) }, finishedAt: { not: null } } })) === runs.length, { timeoutMs: 60_000, intervalMs: 250 });
    const finished = await prisma.billingRun.findMany({ where: { id: { in: runs.map((r) => r.id) } } });
    expect(finished.map((r) => [r.status, r.failures])).toEqual(runs.map(() => ["succeeded", 0]));
    expect(finished.reduce((n, r) => n + r.invoicesCreated, 0)).toBe(SUBSCRIPTIONS);

    const invoices = await prisma.invoice.findMany({ where: { serviceId }, include: { lines: true, customer: { include: { accountLinks: true } } } });
    expect(invoices).toHaveLength(SUBSCRIPTIONS);
    for (let s = 0; s < SUBSCRIPTIONS; s++) {
      const invoice = invoices.find((inv) => inv.customer.accountLinks.some((l) => l.externalId === `c${s}`))!;
      // Pushed values k + 1 for k ≡ s (mod 6), plus 20 events of 1000 each, at $0.01 a unit.
      let units = 20 * 1000;
      for (let k = s; k < 300; k += SUBSCRIPTIONS) units += k + 1;
      const usageLine = invoice.lines.find((l) => l.kind === "usage_charge")!;
      expect(usageLine.quantity.toString()).toBe(String(units));
      expect(usageLine.amountCents).toBe(BigInt(units));
    }

    // Webhooks: every event recorded for the service reaches the endpoint exactly once, though both workers deliver.
    const events = await prisma.webhookEvent.findMany({ where: { serviceId }, select: { id: true } });
    expect(events.length).toBeGreaterThanOrEqual(SUBSCRIPTIONS * 2);
    await waitFor(async () => (await prisma.webhookDelivery.count({ where: { status: "pending" } })) === 0 && receiver.accepted().length >= events.length, { timeoutMs: 30_000 });
    const received = receiver.accepted().map((r) => r.eventId).sort();
    expect(received).toEqual(events.map((e) => e.id).sort());
    expect(receiver.received.every((r) => r.nexaSignatureValid)).toBe(true);
  }, 300_000);
});

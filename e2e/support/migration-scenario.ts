// The world around the migration e2e test, run with tsx from the spec (Playwright's process does not load Prisma):
//   arrange <now> → a small NexaCloud (the settled edge cases removed) with real Stripe customers and saved cards at the local
//             Stripe server, imported into a new shadow service, its last two months reconciled, its customers'
//             addresses filled in and its plans mapped to live plans; prints {serviceId, serviceName}. `now` is the
//             instant the test pins (the fixture's months are fixed: August to October 2026), not the real clock.
//   close <service id> → the period close at the end of the first live period, then collections; prints the counts.
import pg from "pg";
import { db } from "../../lib/db/prisma";
import { runBillingCycle } from "../../lib/invoicing/billing-run";
import { lastCompleteMonths } from "../../lib/migration/months";
import { reconcileMonth, saveSourceConnection } from "../../lib/migration/service-migration";
import { migrationSource } from "../../lib/migration/sources";
import { createFixtureDatabase, createSelectOnlyRole, EDGE_USERS } from "../../lib/nexacloud/fixture";
import { CPU_METRIC_CODE } from "../../lib/nexacloud/importer";
import { runCollections } from "../../lib/payments/collections";
import { requireStripe } from "../../lib/payments/stripe-client";

const KEPT = [EDGE_USERS.underIncluded, EDGE_USERS.overage, EDGE_USERS.centOff, EDGE_USERS.outsideCanada, EDGE_USERS.startedMidMonth];

async function arrange(now: Date) {
  const fixture = await createFixtureDatabase(process.env.NEXA_TEST_ADMIN_URL!, { seed: 11, users: 12, prefix: "nexacloud_e2e_cutover" });
  const source = new pg.Client({ connectionString: fixture.url });
  await source.connect();
  const gone = Array.from({ length: 12 }, (_, i) => i + 1).filter((id) => !(KEPT as number[]).includes(id));
  for (const sql of [
    "DELETE FROM invoice_items WHERE user_id = ANY($1)", "DELETE FROM invoices WHERE user_id = ANY($1)",
    "DELETE FROM usage WHERE deployment_id IN (SELECT id FROM deployments WHERE user_id = ANY($1)) OR subscription_id IN (SELECT id FROM subscriptions WHERE user_id = ANY($1))",
    "DELETE FROM deployments WHERE user_id = ANY($1)", "DELETE FROM subscriptions WHERE user_id = ANY($1)", "DELETE FROM users WHERE id = ANY($1)",
  ]) await source.query(sql, [gone]);
  const stripe = requireStripe();
  for (const userId of KEPT) {
    const customer = await stripe.customers.create({ name: `NexaCloud user ${userId}` });
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
    await source.query("UPDATE users SET stripe_customer_id = $1 WHERE id = $2", [customer.id, userId]);
  }
  await source.end();

  const suffix = Date.now().toString(36);
  const service = await db().service.create({ data: { code: `e2e_cut_${suffix}`, name: `E2E NexaCloud cutover ${suffix}`, mode: "shadow" } });
  await saveSourceConnection(db(), { serviceId: service.id, sourceKind: "nexacloud", connection: { dsn: await createSelectOnlyRole(fixture.url) } });
  const nexacloud = migrationSource("nexacloud");
  const runId = await nexacloud.startImport(db(), { serviceId: service.id, dryRun: false, startedById: null });
  await nexacloud.executeImport(db(), runId, { serviceId: service.id, dryRun: false, now });
  for (const period of lastCompleteMonths(now, 2)) await reconcileMonth(db(), service.id, period);

  const metric = await db().billableMetric.findFirstOrThrow({ where: { code: CPU_METRIC_CODE, deletedAt: null }, orderBy: { createdAt: "asc" } });
  for (const legacy of await db().plan.findMany({ where: { serviceId: service.id }, include: { subscriptions: { include: { charges: true } } } })) {
    const charge = legacy.subscriptions[0]?.charges[0];
    const live = await db().plan.create({
      data: {
        serviceId: service.id, code: `${service.code}_live_${legacy.code.split("_").pop()}`, name: `${legacy.name} (live)`, amountCents: legacy.amountCents,
        charges: charge ? { create: { billableMetricId: metric.id, code: CPU_METRIC_CODE, properties: charge.properties ?? {}, includedQuantity: charge.includedQuantity } } : undefined,
      },
    });
    await db().plan.update({ where: { id: legacy.id }, data: { cutoverPlanId: live.id } });
  }
  for (const c of await db().customer.findMany({ where: { accountLinks: { some: { serviceId: service.id } } } })) {
    await db().customer.update({ where: { id: c.id }, data: { addressLine1: "1 Main St", city: "Ottawa", postalCode: "K1A 0A1", province: c.country === "CA" ? (c.province ?? "ON") : c.province } });
  }
  return { serviceId: service.id, serviceName: service.name };
}

async function close(serviceId: string) {
  const next = await db().subscription.aggregate({ where: { serviceId, shadow: false }, _max: { nextBillingAt: true } });
  const at = new Date(next._max.nextBillingAt!.getTime() + 5 * 60_000);
  const billed = await runBillingCycle(db(), at, { serviceId });
  const collected = await runCollections(db(), at, { serviceId });
  return { invoicesCreated: billed.invoicesCreated, charged: collected.charged, succeeded: collected.succeeded };
}

const [command, arg] = process.argv.slice(2);
const result = command === "arrange" ? await arrange(new Date(arg)) : await close(arg);
await db().$disconnect();
console.log(JSON.stringify(result));

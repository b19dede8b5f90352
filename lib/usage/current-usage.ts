import type { Db } from "@/lib/db/prisma";
import { getServiceCustomer } from "@/lib/customers/service-customers";
import { DomainError } from "@/lib/errors";
import { localDate } from "@/lib/billing/calendar-date";
import { companyProfile, type CompanyProfileValues } from "@/lib/invoicing/company-profile";
import { invoiceTaxes, type TaxedCustomer } from "@/lib/billing/tax/invoice-taxes";
import { composeInvoice } from "@/lib/invoicing/compose-invoice";
import { usageLines } from "@/lib/invoicing/invoice-lines";
import { minimumProrationOf, rateUsageWindow, type UsageWindow } from "@/lib/invoicing/usage-window";
import { usageStartOf } from "@/lib/invoicing/billing-step";
import { poolRunner, rateChargesUsage, type ChargeWithMetric, type RatedCharge } from "@/lib/rating/rate-subscription-usage";
import { namedStatement, sqlPool, type SqlPool } from "@/lib/db/sql";
import { getServiceSubscription } from "@/lib/subscriptions/subscriptions";
import { scheduleOf, usageScheduleOf } from "@/lib/subscriptions/billing-schedule";
import { periodContaining } from "@/lib/billing/billing-periods";
import { Prisma, type BillableMetric, type BillingTime, type Charge, type Customer, type Plan, type PlanInterval, type Subscription } from "@/lib/generated/prisma/client";

export interface CurrentUsage {
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  charges: RatedCharge[];
  /** Usage charges and their spending-minimum true-ups, before tax. */
  amountCents: bigint;
  /** Tax the period-end invoice would add on that amount at today's rates (0 when it cannot be computed yet). */
  taxesCents: bigint;
}

/** Usage so far in the subscription's current billing period, priced as the period-end invoice would price it. */
export async function currentUsage(client: Db, serviceId: string, externalCustomerId: string, externalSubscriptionId: string, now = new Date(), pool: SqlPool = sqlPool()): Promise<CurrentUsage> {
  // The usual case in two statements on the shared pool: everything that prices the period (loadCurrentUsageContext),
  // then its usage, events and rollups aggregated together (rateChargesUsage).
  const found = await loadCurrentUsageContext(pool, serviceId, externalCustomerId, externalSubscriptionId);
  if (found) {
    const window = usageWindowOrRefuse(found.subscription, now);
    const charges = await rateChargesUsage(poolRunner(pool), found.subscription, found.charges, window, { minimumProration: minimumProrationOf(window), hasEvents: found.hasEvents });
    return pricedUsage(found.subscription, window, charges, found.seller, now);
  }
  // Otherwise the precise refusal: an unknown customer, or no active subscription of theirs.
  const { customer } = await getServiceCustomer(client, serviceId, externalCustomerId);
  const subscription = await getServiceSubscription(client, serviceId, externalSubscriptionId, "active").catch((error) => {
    if (error instanceof DomainError && error.kind === "not_found") throw new DomainError("not_allowed", "no_active_subscription");
    throw error;
  });
  if (subscription.customerId !== customer.id) throw new DomainError("not_allowed", "no_active_subscription");
  return subscriptionCurrentUsage(client, subscription, now);
}

/** What current usage reads of a subscription, its customer and its plan. */
export type CurrentUsageSubscription = Pick<Subscription, "id" | "planId" | "shadow" | "subscriptionAt" | "startedAt" | "billingTime" | "billingAnchorDate"> & {
  customer: TaxedCustomer & Pick<Customer, "timezone" | "currency">;
  plan: Pick<Plan, "interval" | "billChargesMonthly" | "currency"> | null;
};

interface CurrentUsageContext {
  subscription: CurrentUsageSubscription;
  charges: ChargeWithMetric[];
  seller: SellerRegistrations;
  /** Whether the subscription has any raw event (else only its rollups are aggregated). */
  hasEvents: boolean;
}

type SellerRegistrations = Pick<CompanyProfileValues, "gstHstNumber" | "qstNumber" | "bcPstNumber" | "mbRstNumber" | "skPstNumber">;

interface ContextRow {
  id: string; planId: string | null; shadow: boolean; subscriptionAt: Date; startedAt: Date | null; billingTime: BillingTime; billingAnchorDate: Date;
  legalName: string; country: string; province: string | null; taxExempt: boolean; taxExemptionNumber: string | null; timezone: string; customerCurrency: string;
  planInterval: PlanInterval | null; billChargesMonthly: boolean | null; planCurrency: string | null;
  gstHstNumber: string | null; qstNumber: string | null; bcPstNumber: string | null; mbRstNumber: string | null; skPstNumber: string | null;
  hasEvents: boolean;
  charges: string;
}

type JsonDate = string;
interface ChargeJson extends Omit<Charge, "includedQuantity" | "minAmountCents" | "createdAt" | "updatedAt" | "deletedAt"> {
  includedQuantity: string; minAmountCents: string | null; createdAt: JsonDate; updatedAt: JsonDate; deletedAt: JsonDate | null;
  billableMetric: Omit<BillableMetric, "createdAt" | "updatedAt" | "deletedAt"> & { createdAt: JsonDate; updatedAt: JsonDate; deletedAt: JsonDate | null };
}

/**
 * The service's active subscription `externalSubscriptionId` held by the customer its link `externalCustomerId` names,
 * with its customer, plan, charges (with their metrics, as chargesOfSubscription orders them), the company's tax
 * registrations and whether it has raw events: one statement. Null when there is none (the caller says why).
 */
export async function loadCurrentUsageContext(pool: SqlPool, serviceId: string, externalCustomerId: string, externalSubscriptionId: string): Promise<CurrentUsageContext | null> {
  const { rows } = await pool.query<ContextRow>(contextStatement([serviceId, externalSubscriptionId, externalCustomerId]));
  const row = rows[0];
  if (!row) return null;
  const date = (text: string | null) => (text === null ? null : new Date(text));
  const charges = (JSON.parse(row.charges) as ChargeJson[]).map(({ billableMetric, ...charge }): ChargeWithMetric => ({
    ...charge,
    includedQuantity: new Prisma.Decimal(charge.includedQuantity),
    minAmountCents: charge.minAmountCents === null ? null : BigInt(charge.minAmountCents),
    createdAt: new Date(charge.createdAt),
    updatedAt: new Date(charge.updatedAt),
    deletedAt: date(charge.deletedAt),
    billableMetric: { ...billableMetric, createdAt: new Date(billableMetric.createdAt), updatedAt: new Date(billableMetric.updatedAt), deletedAt: date(billableMetric.deletedAt) },
  }));
  return {
    subscription: {
      id: row.id, planId: row.planId, shadow: row.shadow, subscriptionAt: row.subscriptionAt, startedAt: row.startedAt, billingTime: row.billingTime, billingAnchorDate: row.billingAnchorDate,
      customer: { legalName: row.legalName, country: row.country, province: row.province, taxExempt: row.taxExempt, taxExemptionNumber: row.taxExemptionNumber, timezone: row.timezone, currency: row.customerCurrency },
      plan: row.planInterval === null ? null : { interval: row.planInterval, billChargesMonthly: row.billChargesMonthly!, currency: row.planCurrency! },
    },
    charges,
    seller: { gstHstNumber: row.gstHstNumber, qstNumber: row.qstNumber, bcPstNumber: row.bcPstNumber, mbRstNumber: row.mbRstNumber, skPstNumber: row.skPstNumber },
    hasEvents: row.hasEvents,
  };
}

// Decimal and bigint columns travel as text (JSON numbers would lose digits). Prepared once per connection: planning it
// cost PostgreSQL twice as much as running it.
const contextStatement = namedStatement("current_usage_context", `
  SELECT s.id, s."planId", s.shadow, s."subscriptionAt", s."startedAt", s."billingTime"::text AS "billingTime", s."billingAnchorDate",
         c."legalName", c.country, c.province, c."taxExempt", c."taxExemptionNumber", c.timezone, c.currency AS "customerCurrency",
         p.interval::text AS "planInterval", p."billChargesMonthly", p.currency AS "planCurrency",
         cp."gstHstNumber", cp."qstNumber", cp."bcPstNumber", cp."mbRstNumber", cp."skPstNumber",
         EXISTS (SELECT 1 FROM "UsageEvent" e WHERE e."subscriptionId" = s.id) AS "hasEvents",
         (SELECT coalesce(json_agg(json_build_object(
                   'id', ch.id, 'planId', ch."planId", 'subscriptionId', ch."subscriptionId", 'billableMetricId', ch."billableMetricId",
                   'code', ch.code, 'invoiceDisplayName', ch."invoiceDisplayName", 'chargeModel', ch."chargeModel", 'properties', ch.properties,
                   'filters', ch.filters, 'includedQuantity', ch."includedQuantity"::text, 'minAmountCents', ch."minAmountCents"::text,
                   'payInAdvance', ch."payInAdvance", 'prorated', ch.prorated, 'position', ch.position, 'parentId', ch."parentId",
                   'createdAt', ch."createdAt", 'updatedAt', ch."updatedAt", 'deletedAt', ch."deletedAt",
                   'billableMetric', json_build_object(
                     'id', m.id, 'serviceId', m."serviceId", 'code', m.code, 'name', m.name, 'description', m.description,
                     'aggregation', m.aggregation, 'fieldName', m."fieldName", 'recurring', m.recurring, 'roundingFunction', m."roundingFunction",
                     'roundingPrecision', m."roundingPrecision", 'filters', m.filters, 'createdAt', m."createdAt", 'updatedAt', m."updatedAt", 'deletedAt', m."deletedAt"))
                   ORDER BY ch.position, ch."createdAt", ch.id), '[]')::text
            FROM "Charge" ch JOIN "BillableMetric" m ON m.id = ch."billableMetricId"
           WHERE ch."deletedAt" IS NULL AND (ch."subscriptionId" = s.id OR ch."planId" = s."planId")) AS charges
    FROM "Subscription" s
    JOIN "Customer" c ON c.id = s."customerId" AND c."deletedAt" IS NULL
    LEFT JOIN "Plan" p ON p.id = s."planId"
    LEFT JOIN "CompanyProfile" cp ON cp.id = 1
   WHERE s."serviceId" = $1::uuid AND s."externalId" = $2 AND s.status = 'active'
     AND EXISTS (SELECT 1 FROM "AccountLink" l WHERE l."customerId" = c.id AND l."serviceId" = $1::uuid AND l."externalId" = $3 AND l."deletedAt" IS NULL)
   ORDER BY s."createdAt" DESC
   LIMIT 1`);

/**
 * The usage window of the subscription's current period, as the period close will bill it: with bill_charges_monthly
 * the month of the yearly period (the charge schedule), starting no earlier than the subscription's usage start
 * (usageStartOf: the start of its first day when it started on its subscription date). current_usage, the usage
 * monitor (thresholds, progressive billing, alerts) and the close must all use this one window.
 */
export function currentUsageWindow(
  subscription: Pick<Subscription, "subscriptionAt" | "startedAt" | "billingTime" | "billingAnchorDate"> & { plan: Pick<Plan, "interval" | "billChargesMonthly"> | null },
  timezone: string,
  now = new Date(),
): UsageWindow | null {
  const plan = subscription.plan;
  if (!plan) return null;
  const at = now < subscription.subscriptionAt ? subscription.subscriptionAt : now;
  // With bill_charges_monthly, usage is billed (and shown) per month of the yearly period.
  const period = periodContaining(at, usageScheduleOf(subscription, plan, timezone));
  const usageFrom = subscription.startedAt
    ? usageStartOf({ startedAt: subscription.startedAt, subscriptionAt: subscription.subscriptionAt, schedule: scheduleOf(subscription, plan, timezone) })
    : null;
  const start = usageFrom && usageFrom > period.start ? usageFrom : period.start;
  return { start, end: period.end, period: { start: period.start, end: period.end } };
}

/** The same for a subscription already loaded (the portal lists every subscription of the signed-in customer). */
export async function subscriptionCurrentUsage(client: Db, subscription: CurrentUsageSubscription, now = new Date()): Promise<CurrentUsage> {
  const window = usageWindowOrRefuse(subscription, now);
  const charges = await rateUsageWindow(client, subscription, window);
  return pricedUsage(subscription, window, charges, await companyProfile(client), now);
}

function usageWindowOrRefuse(subscription: CurrentUsageSubscription, now: Date): UsageWindow {
  const window = currentUsageWindow(subscription, subscription.customer.timezone, now);
  if (!window) throw new DomainError("not_allowed", "no_active_subscription", undefined, "The subscription has no plan to bill usage against");
  return window;
}

/** The rated usage of the window as the period-end invoice would total and tax it. */
function pricedUsage(subscription: CurrentUsageSubscription, window: UsageWindow, charges: RatedCharge[], seller: SellerRegistrations, now: Date): CurrentUsage {
  const customer = subscription.customer;
  const composition = composeInvoice({
    lines: usageLines(subscription.id, charges, window),
    taxes: (taxableCents) => {
      try {
        return invoiceTaxes(customer, seller, taxableCents, localDate(now, customer.timezone));
      } catch (error) {
        // A customer the invoice could not tax yet (no province) still sees its usage; the invoice run reports the problem.
        if (!(error instanceof DomainError)) throw error;
        return { lines: [], totalCents: BigInt(0), note: null };
      }
    },
  });
  return {
    periodStart: window.period.start,
    periodEnd: window.period.end,
    currency: subscription.plan?.currency ?? customer.currency,
    charges,
    amountCents: composition.taxableCents,
    taxesCents: composition.taxesCents,
  };
}

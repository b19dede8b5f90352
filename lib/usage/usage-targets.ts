import type { PlanInterval } from "@/lib/catalog/vocabulary";
import type pg from "pg";
import { DomainError } from "@/lib/errors";
import { namedStatement } from "@/lib/db/sql";

type Queryable = Pick<pg.Pool, "query">;

export interface UsageSubscription {
  id: string;
  externalId: string;
  status: string;
  billingTime: "calendar" | "anniversary";
  billingAnchorDate: Date;
  /** Null for shadow subscriptions priced by their own charges. */
  planInterval: PlanInterval | null;
  timezone: string;
  /** Suspended by staff: usage is refused until it resumes (lib/subscriptions/suspension.ts). */
  suspended: boolean;
}

export interface UsageMetric {
  id: string;
  code: string;
  aggregation: string;
  fieldName: string | null;
}

const SUBSCRIPTION_COLUMNS = `s.id, s."externalId" AS "externalId", s.status, s."billingTime" AS "billingTime",
         s."billingAnchorDate" AS "billingAnchorDate", p.interval AS "planInterval", c.timezone,
         coalesce(s."suspendedBy" = 'staff', false) AS suspended`;
const SUBSCRIPTION_SOURCE = `"Subscription" s JOIN "Customer" c ON c.id = s."customerId" LEFT JOIN "Plan" p ON p.id = s."planId"`;
/** Which subscription of an external id usage lands on: the active one, else the latest that ran. */
const LANDING_ORDER = `(s.status = 'active') DESC, s."createdAt" DESC`;

/**
 * The subscription of each external id ($2) of service $1 that usage lands on: the active one, else the most recent that
 * ran (so late usage after a termination or an upgrade is still attributed). Pending and cancelled subscriptions never
 * take usage.
 */
const USAGE_SUBSCRIPTIONS_SQL = `
  SELECT DISTINCT ON (s."externalId") ${SUBSCRIPTION_COLUMNS}
    FROM ${SUBSCRIPTION_SOURCE}
   WHERE s."serviceId" = $1 AND s."externalId" = ANY($2::text[]) AND s.status IN ('active', 'terminated')
   ORDER BY s."externalId", ${LANDING_ORDER}`;

/**
 * SQL for the subscription one external id's usage lands on (at most one row, the columns of UsageSubscription), for
 * statements that resolve and write at once; `serviceId` and `externalId` are parameter references such as `$2`.
 */
export function usageSubscriptionSql(serviceId: string, externalId: string): string {
  return `SELECT ${SUBSCRIPTION_COLUMNS}
    FROM ${SUBSCRIPTION_SOURCE}
   WHERE s."serviceId" = ${serviceId}::uuid AND s."externalId" = ${externalId}::text AND s.status IN ('active', 'terminated')
   ORDER BY ${LANDING_ORDER} LIMIT 1`;
}

/** The live metrics (the columns of UsageMetric) whose code matches `condition`, SQL on "BillableMetric". */
const liveMetricsSql = (condition: string) =>
  `SELECT id, code, aggregation::text AS aggregation, "fieldName" AS "fieldName" FROM "BillableMetric" WHERE ${condition} AND "deletedAt" IS NULL`;

/** SQL for the live metric of a code (at most one row, the columns of UsageMetric); `code` is a parameter reference. */
export function usageMetricSql(code: string): string {
  return liveMetricsSql(`code = ${code}::text`);
}

/** A UsageSubscription read back from JSON (its anchor date arrives as text). */
export function usageSubscriptionFromJson(row: Omit<UsageSubscription, "billingAnchorDate"> & { billingAnchorDate: string }): UsageSubscription {
  return { ...row, billingAnchorDate: new Date(row.billingAnchorDate) };
}

const resolveTargets = namedStatement(
  "usage_targets",
  `SELECT (SELECT json_agg(x) FROM (${USAGE_SUBSCRIPTIONS_SQL}) x) AS subscriptions,
          (SELECT json_agg(m) FROM (${liveMetricsSql("code = ANY($3::text[])")}) m) AS metrics`,
);

/**
 * Both lookups in one round trip (the ingestion paths): the subscriptions usage of `externalIds` lands on and the live
 * metrics of `codes`, as one JSON row.
 */
export async function resolveUsageTargets(
  db: Queryable,
  serviceId: string,
  externalIds: string[],
  codes: string[],
): Promise<{ subscriptions: Map<string, UsageSubscription>; metrics: Map<string, UsageMetric> }> {
  const { rows } = await db.query<{ subscriptions: (Omit<UsageSubscription, "billingAnchorDate"> & { billingAnchorDate: string })[] | null; metrics: UsageMetric[] | null }>(
    resolveTargets([serviceId, [...new Set(externalIds)], [...new Set(codes)]]),
  );
  const subscriptions = (rows[0]?.subscriptions ?? []).map(usageSubscriptionFromJson);
  return {
    subscriptions: new Map(subscriptions.map((s) => [s.externalId, s])),
    metrics: new Map((rows[0]?.metrics ?? []).map((m) => [m.code, m])),
  };
}

export async function resolveMetrics(db: Queryable, codes: string[]): Promise<Map<string, UsageMetric>> {
  const { rows } = await db.query<UsageMetric>(liveMetricsSql("code = ANY($1::text[])"), [[...new Set(codes)]]);
  return new Map(rows.map((m) => [m.code, m]));
}

/**
 * Refuses usage whose records failed their checks, Lago-style: a single record naming an unknown subscription or
 * metric is 404 with that code; otherwise 422 with the errors (keyed by index in a batch).
 */
export function refuseUsage(errors: Record<string, Record<string, string[]>>, recordCount: number, messages: { single?: string; batch: string }): never {
  if (recordCount === 1) {
    const only = errors[0];
    if (only.external_subscription_id?.includes("subscription_suspended")) {
      throw new DomainError("invalid", "subscription_suspended", only, "The subscription is suspended: usage is refused until it resumes.");
    }
    if (only.external_subscription_id) throw new DomainError("not_found", "subscription_not_found");
    if (only.code) throw new DomainError("not_found", "billable_metric_not_found");
    throw new DomainError("invalid", "validation_errors", only, messages.single);
  }
  throw new DomainError("invalid", "validation_errors", errors, messages.batch);
}

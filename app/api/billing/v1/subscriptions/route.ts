import { db } from "@/lib/db/prisma";
import { validationError } from "@/lib/api/errors";
import { arrayParam, pageRequest, paginationMeta } from "@/lib/api/pagination";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { createSubscriptionBody, planOverridesFrom, SUBSCRIPTION_STATUSES } from "@/lib/api/schemas/subscription";
import { serializeSubscription } from "@/lib/api/serializers/subscription";
import { createOrChangeSubscription, listServiceSubscriptions } from "@/lib/subscriptions/subscriptions";
import { externalIdsOfCustomers } from "@/lib/customers/service-customers";

/** Create, or change the plan of the subscription with this external id (upgrade now / downgrade at period end). */
export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(createSubscriptionBody, await readEnvelope(request, "subscription"));
  const { subscription } = await createOrChangeSubscription(db(), service, {
    externalCustomerId: body.external_customer_id,
    planCode: body.plan_code,
    externalId: body.external_id,
    billingTime: body.billing_time,
    subscriptionAt: body.subscription_at,
    endingAt: body.ending_at,
    name: body.name,
    planOverrides: planOverridesFrom(body.plan_overrides),
  });
  return json({ subscription: serializeSubscription(subscription, body.external_customer_id, { withPlan: true }) });
});

export const GET = serviceRoute(async ({ url, service }) => {
  const page = pageRequest(url);
  const statuses = arrayParam(url, "status");
  const invalid = statuses.filter((s) => !(SUBSCRIPTION_STATUSES as readonly string[]).includes(s));
  if (invalid.length) throw validationError({ status: ["value_is_invalid"] });
  const overridden = url.searchParams.get("overridden");
  if (overridden !== null && overridden !== "true" && overridden !== "false") throw validationError({ overridden: ["value_is_invalid"] });
  const { total, items } = await listServiceSubscriptions(db(), service.id, {
    ...page,
    externalCustomerId: url.searchParams.get("external_customer_id") ?? undefined,
    planCode: url.searchParams.get("plan_code") ?? undefined,
    externalId: url.searchParams.get("external_id") ?? undefined,
    overridden: overridden === null ? undefined : overridden === "true",
    statuses: (statuses.length ? statuses : ["active"]) as (typeof SUBSCRIPTION_STATUSES)[number][],
  });
  const externalIds = await externalIdsOfCustomers(db(), service.id, items.map((s) => s.customerId));
  return json({
    subscriptions: items.map((s) => serializeSubscription(s, externalIds.get(s.customerId) ?? "")),
    meta: paginationMeta(page, total),
  });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };

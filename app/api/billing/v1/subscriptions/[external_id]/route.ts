import { db } from "@/lib/db/prisma";
import { validationError } from "@/lib/api/errors";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { planOverridesFrom, SUBSCRIPTION_STATUSES, TERMINATION_CREDIT_NOTE, TERMINATION_INVOICE, updateSubscriptionBody } from "@/lib/api/schemas/subscription";
import { serializeSubscription } from "@/lib/api/serializers/subscription";
import { externalIdsOfCustomers } from "@/lib/customers/service-customers";
import { activateDueSubscriptions, getServiceSubscription, terminateServiceSubscription, updateServiceSubscription, type SubscriptionWithRelations } from "@/lib/subscriptions/subscriptions";

type Params = { external_id: string };
type Status = (typeof SUBSCRIPTION_STATUSES)[number];

function statusParam(url: URL): Status {
  const status = url.searchParams.get("status") ?? "active";
  if (!(SUBSCRIPTION_STATUSES as readonly string[]).includes(status)) throw validationError({ status: ["value_is_invalid"] });
  return status as Status;
}

function optionParam<T extends string>(url: URL, key: string, allowed: readonly T[]): T | undefined {
  const value = url.searchParams.get(key);
  if (value === null) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw validationError({ [key]: ["invalid_value"] });
  return value as T;
}

async function respond(serviceId: string, sub: SubscriptionWithRelations) {
  const ids = await externalIdsOfCustomers(db(), serviceId, [sub.customerId]);
  return json({ subscription: serializeSubscription(sub, ids.get(sub.customerId) ?? "", { withPlan: true }) });
}

export const GET = serviceRoute<Params>(async ({ url, params, service }) => {
  await activateDueSubscriptions(db(), new Date(), service.id);
  return respond(service.id, await getServiceSubscription(db(), service.id, params.external_id, statusParam(url)));
});

export const PUT = serviceRoute<Params>(async ({ request, url, params, service }) => {
  const body = parseBody(updateSubscriptionBody, await readEnvelope(request, "subscription"));
  const sub = await updateServiceSubscription(db(), service.id, params.external_id, statusParam(url), {
    name: body.name,
    endingAt: body.ending_at,
    subscriptionAt: body.subscription_at,
    onTerminationCreditNote: body.on_termination_credit_note,
    onTerminationInvoice: body.on_termination_invoice,
    planOverrides: planOverridesFrom(body.plan_overrides),
  });
  return respond(service.id, sub);
});

/** Terminate (or, with status=pending, cancel) — Lago's DELETE. */
export const DELETE = serviceRoute<Params>(async ({ url, params, service }) => {
  const status = url.searchParams.get("status");
  if (status !== null && status !== "pending" && status !== "active") throw validationError({ status: ["value_is_invalid"] });
  const sub = await terminateServiceSubscription(db(), service.id, params.external_id, {
    pending: status === "pending",
    onTerminationCreditNote: optionParam(url, "on_termination_credit_note", TERMINATION_CREDIT_NOTE),
    onTerminationInvoice: optionParam(url, "on_termination_invoice", TERMINATION_INVOICE),
  });
  return respond(service.id, sub);
});

export { methodNotAllowed as POST, methodNotAllowed as PATCH };

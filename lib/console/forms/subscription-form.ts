import { z } from "zod";
import { customerForm } from "./customer-form";
import { requiredText, uuid } from "./form-schemas";

/** An external id as the API takes it (a service's own account or subscription id). */
const externalId = requiredText(255).refine((v) => !/\s/.test(v), "value_is_invalid");

/** An optional start date (YYYY-MM-DD, midnight in the customer's timezone is applied by the caller); empty = now. */
const startDate = z
  .string()
  .trim()
  .optional()
  .transform((v) => v || null)
  .refine((v) => v === null || /^\d{4}-\d{2}-\d{2}$/.test(v), "invalid_date");

/** A new customer, created as a service's account would be through the API: the service and its account id first. */
export const newCustomerForm = z.object({ service_id: uuid, external_id: externalId }).and(customerForm);

/** Starting a subscription for one of the customer's linked service accounts. */
export const newSubscriptionForm = z.object({
  account_link_id: uuid,
  plan_code: requiredText(255),
  external_id: externalId,
  start_date: startDate,
});

/** Moving a subscription to another plan: upgrades start now, downgrades at the end of the period (the API's rule). */
export const changePlanForm = z.object({ plan_code: requiredText(255) });
/** What a plan change (or, with no plan, a termination) would invoice now: the invoice preview. */
export const previewChangeForm = z.object({ plan_code: z.string().trim().max(255).default("") });

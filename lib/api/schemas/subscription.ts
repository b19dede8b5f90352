import { z } from "zod";
import { externalId, isoDateTime, optionalText } from "./common";

export const createSubscriptionBody = z.strictObject({
  external_customer_id: externalId,
  plan_code: z.string().trim().min(1, "value_is_mandatory"),
  external_id: externalId,
  billing_time: z.enum(["calendar", "anniversary"]).optional(),
  subscription_at: isoDateTime.optional(),
  ending_at: isoDateTime.nullable().optional(),
  name: optionalText(),
  plan_overrides: z.unknown().refine((v) => v === undefined || v === null, "not_supported").optional(),
});

export const TERMINATION_CREDIT_NOTE = ["credit", "refund", "offset", "skip"] as const;
export const TERMINATION_INVOICE = ["generate", "skip"] as const;

export const updateSubscriptionBody = z.strictObject({
  name: optionalText(),
  ending_at: isoDateTime.nullable().optional(),
  subscription_at: isoDateTime.optional(),
  on_termination_credit_note: z.enum(TERMINATION_CREDIT_NOTE, { message: "invalid_value" }).optional(),
  on_termination_invoice: z.enum(TERMINATION_INVOICE, { message: "invalid_value" }).optional(),
});

export const SUBSCRIPTION_STATUSES = ["pending", "active", "terminated", "canceled"] as const;

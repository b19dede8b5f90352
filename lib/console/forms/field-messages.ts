import { z } from "zod";
import { DomainError } from "@/lib/errors";
import type { FieldErrors, FormState, FormValues } from "./form-state";

/**
 * Validation codes (ours and Lago's, from zod schemas and DomainError details) in words. `field:code` entries say it
 * better for one field (the field is the last part of a dotted name).
 */
const MESSAGES: Record<string, string> = {
  value_is_mandatory: "Required.",
  value_is_invalid: "Not a valid value.",
  value_is_too_long: "Too long.",
  value_is_out_of_range: "Out of range.",
  value_already_exist: "Already used: choose another.",
  invalid_email_format: "Not a valid e-mail address.",
  not_a_valid_country_code: "Not a country code (two letters, e.g. CA).",
  invalid_timezone: "Not a time zone name (e.g. America/Toronto).",
  not_compatible_with_aggregation_type: "Not possible with this aggregation.",
  invalid_amount: "Enter an amount such as 10 or 0.25.",
  too_many_decimals: "At most two decimals (whole cents).",
  invalid_graduated_ranges: "Tiers must start at 0, follow one another and end with an open tier.",
  invalid_volume_ranges: "Tiers must start at 0, follow one another and end with an open tier.",
  missing_graduated_ranges: "Add at least one tier.",
  missing_volume_ranges: "Add at least one tier.",
  invalid_package_size: "A whole number of units, 1 or more.",
  invalid_free_units: "A whole number of units, 0 or more.",
  invalid_rate: "A percentage such as 2.5.",
  invalid_fixed_amount: "Enter an amount such as 0.30.",
  billable_metric_not_found: "This metric no longer exists.",
  charge_not_found: "This charge no longer exists: reload the page.",
  currencies_does_not_match: "The customer already has subscriptions or invoices in its current currency.",
  currency_not_supported: "Only currencies with cents (two decimals, e.g. CAD, USD, EUR) can be billed.",
  https_required: "Use https:// (plain http only for this machine in development).",
  address_not_allowed: "Webhooks go to public addresses only: not to localhost, private, link-local or multicast networks.",
  "field_name:value_is_mandatory": "This aggregation needs a field name.",
  "recurring:not_compatible_with_aggregation_type": "Only sum, unique count and weighted sum metrics can be recurring.",
  "charge_model:not_compatible_with_aggregation_type": "A percentage charge cannot price a “last value” metric.",
  "code:value_already_exist": "This code is already used: choose another.",
  "dsn:invalid_dsn": "Enter a postgresql://user:password@host:5432/database URL.",
  "service_id:service_not_shadow": "Imports go into a shadow service only.",
  "period:invalid_period": "Enter a month as YYYY-MM, e.g. 2026-09.",
};

/** Codes too generic to beat the wording of the domain's own message. */
const GENERIC_CODES = new Set(["value_is_mandatory", "value_is_invalid"]);

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

export function describeCode(code: string): string {
  return MESSAGES[code] ?? sentence(code.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()));
}

function add(errors: FieldErrors, field: string, message: string) {
  const list = (errors[field] ??= []);
  if (!list.includes(message)) list.push(message);
}

function describeFieldCode(field: string, code: string, ownMessage: string | null): string {
  const specific = MESSAGES[`${field.split(".").pop()}:${code}`];
  if (specific) return specific;
  return ownMessage && GENERIC_CODES.has(code) ? sentence(ownMessage) : describeCode(code);
}

/** zod issues by input name; a schema's message is a code from the catalogue above or already a sentence. */
export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".") || "form";
    add(errors, field, /^[a-z_]+$/.test(issue.message) ? describeFieldCode(field, issue.message, null) : issue.message);
  }
  return errors;
}

/** A DomainError's `field → codes` details (entries that are not code lists are free-form detail, left out). */
export function domainFieldErrors(error: DomainError): FieldErrors {
  const errors: FieldErrors = {};
  const entries = Object.entries(error.details ?? {}).filter((entry): entry is [string, string[]] => Array.isArray(entry[1]));
  const ownMessage = entries.length === 1 && error.message !== error.code ? error.message : null;
  for (const [field, codes] of entries) {
    for (const code of codes) add(errors, field, describeFieldCode(field, String(code), ownMessage));
  }
  return errors;
}

export const CHECK_FIELDS = "Nothing was saved: check the fields marked below.";

/** The answer to a refused submission: field messages where they apply, one message for the form otherwise. */
export function refusedForm<R>(values: FormValues, error: z.ZodError | DomainError): FormState<R> {
  if (error instanceof z.ZodError) return { status: "refused", message: CHECK_FIELDS, fieldErrors: zodFieldErrors(error), values };
  const fieldErrors = domainFieldErrors(error);
  const message = Object.keys(fieldErrors).length ? CHECK_FIELDS : error.message !== error.code ? sentence(error.message) : describeCode(error.code);
  return { status: "refused", message, fieldErrors, values };
}

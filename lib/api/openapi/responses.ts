import { z } from "zod";

/**
 * The bodies the inbound API answers, as zod schemas: the single source of the OpenAPI document's response schemas.
 * Objects are strict, so a serializer that grows a field without this file failing the contract test is impossible
 * (tests/integration/openapi-contract.test.ts validates real answers against the document).
 */

const timestamp = z.iso.datetime({ offset: true });
const nullableTimestamp = timestamp.nullable();
const isoDate = z.iso.date();
const cents = z.number().int().describe("Amount in the currency's minor unit (cents)");
const decimalText = z.string().regex(/^-?\d+(\.\d+)?$/).describe("A decimal number as text, never rounded through a float");
const uuid = z.string().uuid();
/** A list Lago has that this product always answers empty (the feature behind it is listed in the README). */
const alwaysEmpty = z.array(z.unknown()).max(0);
const jsonObject = z.record(z.string(), z.unknown());

export const paginationMeta = z.strictObject({
  current_page: z.number().int(),
  next_page: z.number().int().nullable(),
  prev_page: z.number().int().nullable(),
  total_pages: z.number().int(),
  total_count: z.number().int(),
});

export const errorBody = z.strictObject({
  status: z.number().int(),
  error: z.string(),
  code: z.string().optional().describe("Machine-readable error code, e.g. customer_not_found, validation_errors"),
  error_details: z.union([jsonObject, z.string()]).optional().describe("Per-field codes for validation errors: {field: [code]}"),
  message: z.string().optional(),
});

export const customerObject = z.strictObject({
  lago_id: uuid,
  external_id: z.string(),
  sequential_id: z.number().int(),
  slug: z.string(),
  account_type: z.literal("customer"),
  customer_type: z.null(),
  name: z.string().nullable(),
  firstname: z.null(),
  lastname: z.null(),
  legal_name: z.string(),
  legal_number: z.null(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  url: z.null(),
  logo_url: z.null(),
  address_line1: z.string().nullable(),
  address_line2: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  zipcode: z.string().nullable(),
  country: z.string().nullable(),
  currency: z.string(),
  timezone: z.string().nullable(),
  applicable_timezone: z.string(),
  tax_identification_number: z.string().nullable(),
  tax_exempt: z.boolean(),
  tax_exemption_number: z.string().nullable(),
  net_payment_term: z.number().int().nullable(),
  external_salesforce_id: z.null(),
  finalize_zero_amount_invoice: z.literal("inherit"),
  billing_entity_code: z.null(),
  billing_configuration: z.strictObject({
    invoice_grace_period: z.number().int().nullable(),
    payment_provider: z.literal("stripe").nullable(),
    provider_customer_id: z.string().nullable(),
    document_locale: z.string(),
  }),
  shipping_address: z.strictObject({
    address_line1: z.string().nullable(),
    address_line2: z.string().nullable(),
    city: z.string().nullable(),
    zipcode: z.string().nullable(),
    state: z.string().nullable(),
    country: z.string().nullable(),
  }),
  skip_invoice_custom_sections: z.boolean(),
  metadata: z.array(z.strictObject({ lago_id: z.string(), key: z.string(), value: z.string(), display_in_invoice: z.boolean(), created_at: timestamp })),
  taxes: alwaysEmpty,
  integration_customers: alwaysEmpty,
  applicable_invoice_custom_sections: alwaysEmpty,
  error_details: alwaysEmpty,
  created_at: timestamp,
  updated_at: timestamp,
});

export const billableMetricObject = z.strictObject({
  lago_id: uuid,
  name: z.string(),
  code: z.string(),
  description: z.string().nullable(),
  aggregation_type: z.enum(["count_agg", "sum_agg", "max_agg", "unique_count_agg", "weighted_sum_agg", "latest_agg"]),
  weighted_interval: z.literal("seconds").nullable(),
  recurring: z.boolean(),
  rounding_function: z.enum(["round", "ceil", "floor"]).nullable(),
  rounding_precision: z.number().int().nullable(),
  created_at: timestamp,
  field_name: z.string().nullable(),
  expression: z.null(),
  filters: z.array(z.strictObject({ key: z.string(), values: z.array(z.string()) })),
  active_subscriptions_count: z.number().int(),
  draft_invoices_count: z.number().int(),
  plans_count: z.number().int(),
});

export const chargeObject = z.strictObject({
  lago_id: uuid,
  lago_billable_metric_id: uuid,
  billable_metric_code: z.string(),
  code: z.string().nullable(),
  invoice_display_name: z.string().nullable(),
  created_at: timestamp,
  charge_model: z.string(),
  invoiceable: z.literal(true),
  regroup_paid_fees: z.null(),
  pay_in_advance: z.boolean(),
  prorated: z.boolean(),
  min_amount_cents: cents,
  included_quantity: decimalText,
  accepts_target_wallet: z.boolean(),
  properties: jsonObject.nullable(),
  applied_pricing_unit: z.null(),
  lago_parent_id: uuid.nullable().describe("On an overridden (child) plan: the parent plan's charge"),
  filters: z.array(z.strictObject({ invoice_display_name: z.string().nullable(), properties: jsonObject, values: z.record(z.string(), z.array(z.string())) })),
  taxes: alwaysEmpty,
});

export const usageThresholdObject = z.strictObject({
  lago_id: uuid,
  threshold_display_name: z.string().nullable(),
  amount_cents: cents,
  recurring: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const planObject = z.strictObject({
  lago_id: uuid,
  name: z.string(),
  invoice_display_name: z.string().nullable(),
  created_at: timestamp,
  code: z.string(),
  interval: z.enum(["weekly", "monthly", "quarterly", "semiannual", "yearly"]),
  description: z.string().nullable(),
  amount_cents: cents,
  amount_currency: z.string(),
  trial_period: z.number().nullable(),
  pay_in_advance: z.boolean(),
  bill_charges_monthly: z.boolean().nullable(),
  bill_fixed_charges_monthly: z.null(),
  customers_count: z.number().int(),
  active_subscriptions_count: z.number().int(),
  draft_invoices_count: z.number().int(),
  parent_id: uuid.nullable().describe("A subscription's overridden plan (plan_overrides): the plan it was copied from"),
  pending_deletion: z.boolean(),
  charges: z.array(chargeObject),
  fixed_charges: alwaysEmpty,
  usage_thresholds: z.array(usageThresholdObject),
  taxes: alwaysEmpty,
  entitlements: alwaysEmpty,
});

export const subscriptionObject = z.strictObject({
  lago_id: uuid,
  external_id: z.string(),
  lago_customer_id: uuid,
  external_customer_id: z.string(),
  name: z.string().nullable(),
  plan_code: z.string().nullable(),
  plan_amount_cents: cents.nullable(),
  plan_amount_currency: z.string().nullable(),
  status: z.enum(["pending", "active", "terminated", "canceled"]),
  billing_time: z.enum(["calendar", "anniversary"]),
  subscription_at: nullableTimestamp,
  started_at: nullableTimestamp,
  trial_ended_at: z.string().nullable(),
  ending_at: nullableTimestamp,
  terminated_at: nullableTimestamp,
  canceled_at: nullableTimestamp,
  created_at: nullableTimestamp,
  previous_plan_code: z.string().nullable(),
  next_plan_code: z.string().nullable(),
  downgrade_plan_date: isoDate.nullable(),
  current_billing_period_started_at: nullableTimestamp,
  current_billing_period_ending_at: nullableTimestamp,
  on_termination_credit_note: z.enum(["credit", "refund", "offset", "skip"]).nullable(),
  on_termination_invoice: z.enum(["generate", "skip"]).nullable(),
  progressive_billing_disabled: z.boolean(),
  consolidate_invoice: z.boolean(),
  purchase_order_number: z.null(),
  cancellation_reason: z.null(),
  activated_at: nullableTimestamp,
  shadow: z.boolean().describe("Billed in shadow during a migration's dual-run: never charged"),
  past_due_at: nullableTimestamp,
  suspended_at: nullableTimestamp,
  payment_method: z.null(),
  activation_rules: alwaysEmpty,
  plan: planObject.optional().describe("Present on single-subscription answers"),
});

const feeObject = z.strictObject({
  lago_id: uuid,
  lago_charge_id: uuid.nullable(),
  lago_subscription_id: uuid.nullable(),
  item: z.strictObject({ type: z.enum(["subscription", "charge", "commitment", "add_on"]), name: z.string() }),
  amount_cents: cents,
  amount_currency: z.string(),
  units: decimalText,
  included_units: decimalText,
  unit_amount: decimalText.nullable(),
  from_datetime: nullableTimestamp,
  to_datetime: nullableTimestamp,
  amount_details: z.unknown(),
  /** True for a pay-in-advance charge's fee, billed on its own invoice when its event came. */
  pay_in_advance: z.boolean(),
  event_transaction_id: z.string().nullable(),
});

const appliedTaxObject = z.strictObject({
  lago_id: uuid,
  tax_code: z.string(),
  tax_name: z.string(),
  tax_rate: z.number(),
  taxable_amount_cents: cents,
  amount_cents: cents,
  registration_number: z.string().nullable(),
});

/** Lago's credit of an invoice: here, a coupon taken off before tax. */
export const creditObject = z.strictObject({
  lago_id: uuid,
  amount_cents: cents,
  amount_currency: z.string(),
  before_taxes: z.boolean(),
  item: z.strictObject({ lago_item_id: uuid, type: z.enum(["coupon", "credit_note", "invoice"]), code: z.string(), name: z.string() }),
  invoice: z.strictObject({ lago_id: uuid, payment_status: z.enum(["pending", "succeeded", "failed"]) }),
});

export const couponObject = z.strictObject({
  lago_id: uuid,
  name: z.string(),
  code: z.string(),
  description: z.string().nullable(),
  coupon_type: z.enum(["fixed_amount", "percentage"]),
  amount_cents: z.number().int().nullable(),
  amount_currency: z.string().nullable(),
  percentage_rate: decimalText.nullable(),
  frequency: z.enum(["once", "recurring", "forever"]),
  frequency_duration: z.number().int().nullable(),
  reusable: z.boolean(),
  limited_plans: z.boolean(),
  plan_codes: z.array(z.string()),
  limited_billable_metrics: z.boolean(),
  billable_metric_codes: z.array(z.string()),
  expiration: z.enum(["no_expiration", "time_limit"]),
  expiration_at: nullableTimestamp,
  status: z.enum(["active", "terminated"]),
  created_at: timestamp,
  terminated_at: nullableTimestamp,
});

export const appliedCouponObject = z.strictObject({
  lago_id: uuid,
  lago_coupon_id: uuid,
  coupon_code: z.string(),
  coupon_name: z.string(),
  coupon_status: z.enum(["active", "terminated"]),
  coupon_deleted_at: nullableTimestamp,
  lago_customer_id: uuid,
  external_customer_id: z.string(),
  status: z.enum(["active", "terminated"]),
  amount_cents: z.number().int().nullable(),
  amount_cents_remaining: z.number().int().nullable(),
  amount_currency: z.string().nullable(),
  percentage_rate: decimalText.nullable(),
  frequency: z.enum(["once", "recurring", "forever"]),
  frequency_duration: z.number().int().nullable(),
  frequency_duration_remaining: z.number().int().nullable(),
  expiration_at: nullableTimestamp,
  created_at: timestamp,
  terminated_at: nullableTimestamp,
  credits: z.array(creditObject),
});

export const addOnObject = z.strictObject({
  lago_id: uuid,
  name: z.string(),
  code: z.string(),
  invoice_display_name: z.string().nullable(),
  amount_cents: z.number().int(),
  amount_currency: z.string(),
  description: z.string().nullable(),
  created_at: timestamp,
  taxes: z.array(z.unknown()),
});

export const invoiceObject = z.strictObject({
  lago_id: uuid,
  sequential_id: z.number().int().nullable(),
  number: z.string(),
  issuing_date: isoDate.nullable(),
  payment_due_date: isoDate.nullable(),
  net_payment_term: z.number().int().nullable(),
  invoice_type: z.string(),
  status: z.enum(["draft", "finalized", "voided"]),
  payment_status: z.enum(["pending", "succeeded", "failed"]),
  payment_overdue: z.boolean(),
  currency: z.string(),
  fees_amount_cents: cents,
  taxes_amount_cents: cents,
  coupons_amount_cents: cents,
  credit_notes_amount_cents: cents,
  prepaid_credit_amount_cents: cents,
  progressive_billing_credit_amount_cents: cents.describe("Usage of the period already billed by progressive-billing invoices, deducted before tax"),
  sub_total_excluding_taxes_amount_cents: cents,
  sub_total_including_taxes_amount_cents: cents,
  total_amount_cents: cents,
  total_due_amount_cents: cents,
  total_paid_amount_cents: cents,
  taxes_rate: z.number(),
  tax_note: z.string().nullable(),
  shadow: z.boolean(),
  file_url: z.string().nullable(),
  billing_period_started_at: nullableTimestamp,
  billing_period_ended_at: nullableTimestamp,
  version_number: z.number().int(),
  self_billed: z.boolean(),
  created_at: nullableTimestamp,
  updated_at: nullableTimestamp,
  voided_at: nullableTimestamp,
  customer: z.strictObject({ lago_id: uuid, external_id: z.string().nullable(), name: z.string(), legal_name: z.string() }).optional(),
  fees: z.array(feeObject).optional(),
  credits: z.array(creditObject).optional(),
  applied_taxes: z.array(appliedTaxObject).optional(),
});

/** An invoice preview (POST /invoices/preview): an invoice object with nothing written, so no ids, number or timestamps. */
export const invoicePreviewObject = invoiceObject.extend({
  lago_id: z.null(),
  sequential_id: z.null(),
  number: z.null(),
  customer: z.strictObject({
    lago_id: uuid.nullable(), external_id: z.string().nullable(), name: z.string(), legal_name: z.string(),
    address_line1: z.string().nullable(), address_line2: z.string().nullable(), city: z.string().nullable(), zipcode: z.string().nullable(),
    state: z.string().nullable(), country: z.string().nullable(), tax_identification_number: z.string().nullable(),
  }),
  fees: z.array(feeObject.extend({ lago_id: z.null(), external_subscription_id: z.string().nullable() })),
  applied_taxes: z.array(appliedTaxObject.extend({ lago_id: z.null() })),
  credits: z.array(creditObject.extend({
    lago_id: z.null(),
    item: z.strictObject({ lago_item_id: uuid, type: z.literal("coupon"), code: z.string(), name: z.string() }),
    invoice: z.strictObject({ lago_id: z.null(), payment_status: z.literal("pending") }),
  })),
});

export const creditNoteObject = z.strictObject({
  lago_id: uuid,
  sequential_id: z.number().int().nullable(),
  number: z.string().nullable(),
  lago_invoice_id: uuid,
  invoice_number: z.string().nullable(),
  issuing_date: isoDate.nullable(),
  credit_status: z.enum(["available", "consumed", "voided"]).nullable(),
  refund_status: z.enum(["pending", "succeeded", "failed"]).nullable(),
  reason: z.string(),
  description: z.string().nullable(),
  currency: z.string(),
  total_amount_cents: cents,
  taxes_amount_cents: cents,
  sub_total_excluding_taxes_amount_cents: cents,
  balance_amount_cents: cents,
  credit_amount_cents: cents,
  refund_amount_cents: cents,
  offset_amount_cents: cents,
  file_url: z.string().nullable(),
  created_at: nullableTimestamp,
  updated_at: nullableTimestamp,
});

export const walletObject = z.strictObject({
  lago_id: uuid,
  lago_customer_id: uuid,
  external_customer_id: z.string(),
  status: z.enum(["active", "terminated"]),
  currency: z.string(),
  name: z.string().nullable(),
  code: z.string().nullable(),
  priority: z.number().int(),
  rate_amount: decimalText.describe("Value of one credit in the currency"),
  credits_balance: decimalText,
  balance_cents: cents,
  consumed_credits: decimalText,
  consumed_amount_cents: cents,
  ongoing_balance_cents: cents.describe("Balance less the usage of the current periods not yet invoiced, with tax"),
  ongoing_usage_balance_cents: cents,
  credits_ongoing_balance: decimalText,
  credits_ongoing_usage_balance: decimalText,
  created_at: timestamp,
  expiration_at: nullableTimestamp,
  last_balance_sync_at: nullableTimestamp,
  last_consumed_credit_at: nullableTimestamp,
  terminated_at: nullableTimestamp,
  invoice_requires_successful_payment: z.boolean(),
  paid_top_up_min_amount_cents: z.null(),
  paid_top_up_max_amount_cents: z.null(),
  recurring_transaction_rules: alwaysEmpty,
  applies_to: z.strictObject({ fee_types: alwaysEmpty, billable_metric_codes: alwaysEmpty }),
});

export const walletTransactionObject = z.strictObject({
  lago_id: uuid,
  lago_wallet_id: uuid,
  lago_invoice_id: uuid.nullable(),
  lago_credit_note_id: z.null(),
  lago_voided_invoice_id: z.null(),
  status: z.enum(["pending", "settled", "failed"]),
  source: z.literal("manual"),
  transaction_status: z.enum(["purchased", "granted", "voided", "invoiced"]),
  transaction_type: z.enum(["inbound", "outbound"]),
  amount: decimalText.describe("In the currency"),
  credit_amount: decimalText,
  invoice_requires_successful_payment: z.boolean(),
  metadata: alwaysEmpty,
  remaining_amount_cents: z.null(),
  remaining_credit_amount: z.null(),
  priority: z.number().int(),
  settled_at: nullableTimestamp,
  failed_at: nullableTimestamp,
  created_at: timestamp,
  name: z.string().nullable(),
});

export const eventObject = z.strictObject({
  lago_id: uuid,
  transaction_id: z.string(),
  lago_customer_id: uuid.nullable(),
  code: z.string(),
  timestamp,
  precise_total_amount_cents: decimalText.nullable(),
  properties: z.unknown(),
  lago_subscription_id: uuid.nullable(),
  external_subscription_id: z.string().nullable(),
  created_at: timestamp,
});

export const usageRecordObject = z.strictObject({
  lago_id: uuid,
  idempotency_key: z.string(),
  external_subscription_id: z.string(),
  code: z.string(),
  period_start: timestamp,
  period_end: timestamp,
  value: decimalText,
  created_at: timestamp,
  duplicate: z.boolean().describe("True when this idempotency key had been recorded already: the retry counted nothing"),
});

export const usageReceiptObject = z.strictObject({
  lago_id: uuid,
  idempotency_key: z.string(),
  created_at: timestamp,
  duplicate: z.boolean(),
});

export const costObject = z.strictObject({
  lago_id: uuid,
  idempotency_key: z.string(),
  external_customer_id: z.string(),
  date: z.string().describe("The cost's day (YYYY-MM-DD) in America/Toronto, the books' timezone"),
  cost_type: z.string(),
  amount_cents: z.number().int(),
  amount_currency: z.string(),
  description: z.string().nullable(),
  created_at: timestamp,
  duplicate: z.boolean().describe("True when this idempotency key had been recorded already: the retry stored nothing"),
});

export const webhookEndpointObject = z.strictObject({
  lago_id: uuid,
  lago_organization_id: uuid,
  webhook_url: z.string(),
  signature_algo: z.string(),
  name: z.string().nullable(),
  event_types: z.array(z.string()).nullable(),
  active: z.boolean(),
  created_at: timestamp,
});

export const customerUsageObject = z.strictObject({
  from_datetime: timestamp,
  to_datetime: timestamp,
  issuing_date: isoDate,
  currency: z.string(),
  amount_cents: cents,
  taxes_amount_cents: cents,
  total_amount_cents: cents,
  lago_invoice_id: z.null(),
  charges_usage: z.array(
    z.strictObject({
      units: decimalText,
      total_aggregated_units: decimalText,
      events_count: z.number().int(),
      amount_cents: cents,
      amount_currency: z.string(),
      included_units: decimalText,
      pricing_unit_details: z.null(),
      charge: z.strictObject({ lago_id: uuid, code: z.string().nullable(), charge_model: z.string(), invoice_display_name: z.string().nullable() }),
      billable_metric: z.strictObject({ lago_id: uuid, name: z.string(), code: z.string(), aggregation_type: z.string() }),
      filters: z.array(z.strictObject({
        units: decimalText,
        total_aggregated_units: decimalText,
        amount_cents: cents,
        events_count: z.number().int(),
        invoice_display_name: z.string().nullable(),
        values: z.record(z.string(), z.array(z.string())),
      })),
      grouped_usage: alwaysEmpty,
      presentation_breakdowns: alwaysEmpty,
    }),
  ),
});

export const healthObject = z.strictObject({
  status: z.enum(["ok", "unavailable"]),
  version: z.string(),
  database: z.enum(["ok", "unreachable"]),
  checked_at: timestamp,
  pool: z.strictObject({ size: z.number().int(), idle: z.number().int(), waiting: z.number().int(), max: z.number().int() }),
});

export const linkTokenObject = z.strictObject({ token: z.string(), lago_customer_id: uuid, expires_at: timestamp });

const alertThresholdObject = z.strictObject({ code: z.string().nullable(), value: decimalText, recurring: z.boolean() });

export const alertObject = z.strictObject({
  lago_id: uuid,
  lago_organization_id: uuid,
  external_subscription_id: z.string(),
  lago_wallet_id: z.null(),
  wallet_code: z.null(),
  billable_metric: billableMetricObject.nullable(),
  alert_type: z.enum(["current_usage_amount", "billable_metric_current_usage_amount", "billable_metric_current_usage_units"]),
  code: z.string(),
  name: z.string().nullable(),
  direction: z.literal("increasing"),
  previous_value: z.number().describe("The value seen at the last evaluation in the current period (cents, or units)"),
  last_processed_at: nullableTimestamp,
  thresholds: z.array(alertThresholdObject),
  created_at: timestamp,
});

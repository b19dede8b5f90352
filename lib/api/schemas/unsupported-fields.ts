/**
 * Request bodies are strict: a key this API does not implement is refused with 422, never accepted and ignored (a
 * client that sends it would otherwise get a bill that silently differs from what it asked for). A key Lago's API
 * knows answers `not_supported`; any other key answers `unknown_field` (usually a typo). The README's table of Lago
 * resources lists what is supported.
 */
export const LAGO_FIELDS_NOT_SUPPORTED: ReadonlySet<string> = new Set([
  // customers
  "firstname", "lastname", "customer_type", "account_type", "url", "logo_url", "legal_number", "external_salesforce_id",
  "finalize_zero_amount_invoice", "billing_entity_code", "shipping_address", "billing_configuration",
  "invoice_custom_section_codes", "skip_invoice_custom_sections", "integration_customers",
  // plans and charges
  "metadata", "minimum_commitment", "usage_thresholds", "fixed_charges", "cascade_updates", "bill_fixed_charges_monthly",
  "regroup_paid_fees", "applied_pricing_unit", "accepts_target_wallet", "entitlements",
  // subscriptions
  "coupon_code", "progressive_billing_disabled", "purchase_order_number", "payment_method",
  "activation_rules", "invoice_custom_section", "consolidate_invoice",
  // credit notes
  "offset_amount_cents",
  // webhook endpoints
  "signature_algorithm",
  // wallets and wallet transactions
  "applies_to", "paid_top_up_min_amount_cents", "paid_top_up_max_amount_cents", "ignore_paid_top_up_limits_on_creation",
  "ignore_paid_top_up_limits",
]);

/** The code a strict body gives a key it does not know. */
export function unrecognizedKeyCode(key: string): "not_supported" | "unknown_field" {
  return LAGO_FIELDS_NOT_SUPPORTED.has(key) ? "not_supported" : "unknown_field";
}

import { z } from "zod";
import { boundedDecimal, catalogCode, currencyCode, externalId, isoDateTime, optionalText } from "./common";

/**
 * Lago's wallet and wallet_transaction bodies. Credits are decimal strings (or numbers) with at most 5 decimals; the
 * rate (value of one credit) at most 15. Recurring top-ups, paid top-up limits, applies_to, metadata and payment method
 * choices are not implemented: those keys answer 422 not_supported (an empty list of rules is accepted: it asks for
 * none).
 */
export const credits = boundedDecimal({ min: "0", max: "1000000000000", scale: 5 });
export const rateAmount = boundedDecimal({ min: "0.000000000000001", max: "1000000", scale: 15 });
const noRules = z.array(z.unknown()).nullable().optional().refine((v) => !v?.length, "not_supported");

const walletFields = {
  name: optionalText(255),
  code: catalogCode.nullable().optional(),
  priority: z.number().int("value_is_invalid").min(1, "value_is_out_of_range").max(50, "value_is_out_of_range").optional(),
  expiration_at: isoDateTime.nullable().optional(),
  invoice_requires_successful_payment: z.boolean().optional(),
  recurring_transaction_rules: noRules,
};

export const createWalletBody = z.strictObject({
  ...walletFields,
  external_customer_id: externalId,
  rate_amount: rateAmount,
  currency: currencyCode,
  paid_credits: credits.nullable().optional(),
  granted_credits: credits.nullable().optional(),
  transaction_name: optionalText(255),
  transaction_metadata: noRules,
});

export const updateWalletBody = z.strictObject(walletFields);

export const walletTransactionBody = z.strictObject({
  wallet_id: z.string().uuid("value_is_invalid"),
  name: optionalText(255),
  paid_credits: credits.nullable().optional(),
  granted_credits: credits.nullable().optional(),
  voided_credits: credits.nullable().optional(),
  invoice_requires_successful_payment: z.boolean().optional(),
  metadata: noRules,
});

import { z } from "zod";
import type { AddOnInput } from "@/lib/catalog/add-ons";
import type { OneOffInvoiceInput } from "@/lib/invoicing/one-off-invoices";
import { amountCents, boundedDecimal, catalogCode, currencyCode, externalId, isoDateTime, optionalText } from "./common";

/** Taxes follow the Canadian rules (lib/billing/tax/), not per-item tax codes: a non-empty list is refused. */
const noTaxCodes = z.array(z.string()).max(100).optional().refine((codes) => !codes?.length, "not_supported");

const addOnFields = {
  name: z.string().trim().min(1, "value_is_mandatory").max(255),
  code: catalogCode,
  amount_cents: amountCents,
  amount_currency: currencyCode.optional(),
  description: optionalText(2000),
  invoice_display_name: optionalText(),
  tax_codes: noTaxCodes,
};

export const createAddOnBody = z.strictObject(addOnFields);
export const updateAddOnBody = z.strictObject(addOnFields).partial();

export function addOnInputFrom(body: z.infer<typeof updateAddOnBody>): Partial<AddOnInput> {
  return {
    ...(body.code !== undefined ? { code: body.code } : {}),
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.amount_cents !== undefined ? { amountCents: body.amount_cents } : {}),
    ...(body.amount_currency !== undefined ? { currency: body.amount_currency } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.invoice_display_name !== undefined ? { invoiceDisplayName: body.invoice_display_name } : {}),
  };
}

/** Units of a one-off fee: more than 0, at most 10^9, up to 12 decimals. */
const units = boundedDecimal({ min: "0", max: "1000000000", scale: 12 }).refine((v) => Number(v) > 0, "value_is_out_of_range");

export const MAX_ONE_OFF_FEES = 100;

export const oneOffInvoiceBody = z.strictObject({
  external_customer_id: externalId,
  currency: currencyCode.optional(),
  fees: z
    .array(
      z.strictObject({
        add_on_code: catalogCode,
        unit_amount_cents: amountCents.nullable().optional(),
        units: units.nullable().optional(),
        description: optionalText(2000),
        invoice_display_name: optionalText(),
        from_datetime: isoDateTime.optional(),
        to_datetime: isoDateTime.optional(),
        tax_codes: noTaxCodes,
      }),
    )
    .min(1, "value_is_mandatory")
    .max(MAX_ONE_OFF_FEES, "value_is_out_of_range"),
});

export function oneOffInvoiceInputFrom(body: z.infer<typeof oneOffInvoiceBody>): OneOffInvoiceInput {
  return {
    externalCustomerId: body.external_customer_id,
    currency: body.currency ?? null,
    fees: body.fees.map((f) => ({
      addOnCode: f.add_on_code,
      unitAmountCents: f.unit_amount_cents ?? null,
      units: f.units ?? null,
      description: f.description ?? null,
      invoiceDisplayName: f.invoice_display_name ?? null,
      fromDatetime: f.from_datetime ?? null,
      toDatetime: f.to_datetime ?? null,
    })),
  };
}

import { z } from "zod";
import type { CustomerFields } from "@/lib/customers/service-customers";
import { countryCode, currencyCode, emailAddress, externalId, isProvinceOfCountry, optionalText, timezoneName } from "./common";

export const customerBody = z
  .strictObject({
    external_id: externalId,
    name: optionalText(),
    legal_name: optionalText(),
    email: emailAddress.nullable().optional(),
    phone: optionalText(50),
    address_line1: optionalText(),
    address_line2: optionalText(),
    city: optionalText(),
    state: optionalText(100),
    zipcode: optionalText(20),
    country: countryCode.nullable().optional(),
    currency: currencyCode.optional(),
    timezone: timezoneName.nullable().optional(),
    tax_identification_number: optionalText(100),
    net_payment_term: z.number().int().min(0).max(365).optional(),
    // The list replaces the customer's metadata as a whole, so Lago's per-item `id` (update this item) changes nothing.
    metadata: z
      .array(z.strictObject({ key: z.string().min(1).max(100), value: z.string().max(255), display_in_invoice: z.boolean().optional(), id: z.string().max(255).optional() }))
      .max(5, "invalid_count")
      .optional(),
    // Our extensions to Lago's body.
    billing_customer_id: z.string().uuid().optional(),
    billing_link_token: z.string().min(1).max(200).optional(),
    tax_exempt: z.boolean().optional(),
    tax_exemption_number: optionalText(100),
  })
  .superRefine((body, ctx) => {
    if (body.state && !isProvinceOfCountry(body.state, body.country ?? "CA")) {
      ctx.addIssue({ code: "custom", path: ["state"], message: "value_is_invalid" });
    }
  });

export type CustomerBody = z.infer<typeof customerBody>;

/** The model fields for the keys present in the body (absent keys keep their values, as Lago's upsert). */
export function customerFieldsFrom(body: CustomerBody, present: Set<string>): CustomerFields {
  const fields: CustomerFields = {};
  const has = (key: string) => present.has(key);
  if (has("legal_name") && body.legal_name) fields.legalName = body.legal_name;
  if (has("name")) fields.displayName = body.name ?? null;
  if (has("email")) fields.email = body.email ?? null;
  if (has("phone")) fields.phone = body.phone ?? null;
  if (has("address_line1")) fields.addressLine1 = body.address_line1 ?? null;
  if (has("address_line2")) fields.addressLine2 = body.address_line2 ?? null;
  if (has("city")) fields.city = body.city ?? null;
  if (has("state")) fields.province = body.state ? body.state.toUpperCase() : null;
  if (has("zipcode")) fields.postalCode = body.zipcode ?? null;
  if (has("country") && body.country) fields.country = body.country;
  if (has("currency") && body.currency) fields.currency = body.currency;
  if (has("timezone") && body.timezone) fields.timezone = body.timezone;
  if (has("tax_identification_number")) fields.taxIdentificationNumber = body.tax_identification_number ?? null;
  if (has("net_payment_term") && body.net_payment_term !== undefined) fields.netPaymentTermDays = body.net_payment_term;
  if (has("metadata") && body.metadata) fields.metadata = body.metadata;
  if (has("tax_exempt") && body.tax_exempt !== undefined) fields.taxExempt = body.tax_exempt;
  if (has("tax_exemption_number")) fields.taxExemptionNumber = body.tax_exemption_number ?? null;
  return fields;
}

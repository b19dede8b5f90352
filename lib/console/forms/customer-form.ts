import { z } from "zod";
import { currencyCode, emailAddress, timezoneName } from "@/lib/api/schemas/common";
import type { Customer } from "@/lib/generated/prisma/client";
import type { CustomerFields } from "@/lib/customers/service-customers";
import type { FormValues } from "./form-state";
import { billingAddressDefaults, billingAddressFields, billingAddressOf, checkProvinceOfCountry } from "./billing-address-fields";
import { checkbox, requiredText, textOrNull, uuid } from "./form-schemas";

/** The customer's own fields as staff edit them; every input is sent, so every field is set. */
export const customerForm = z
  .object({
    legal_name: requiredText(),
    email: z.string().trim().transform((v) => v || null).pipe(emailAddress.nullable()),
    ...billingAddressFields,
    currency: currencyCode,
    timezone: timezoneName,
    tax_identification_number: textOrNull(100),
    tax_exempt: checkbox,
    tax_exemption_number: textOrNull(100),
  })
  .superRefine(checkProvinceOfCountry)
  .transform(
    (form): CustomerFields => ({
      legalName: form.legal_name,
      email: form.email,
      ...billingAddressOf(form),
      currency: form.currency,
      timezone: form.timezone,
      taxIdentificationNumber: form.tax_identification_number,
      taxExempt: form.tax_exempt,
      taxExemptionNumber: form.tax_exemption_number,
    }),
  );

export function customerFormDefaults(customer: Customer): FormValues {
  return {
    legal_name: customer.legalName,
    email: customer.email ?? "",
    ...billingAddressDefaults(customer),
    currency: customer.currency,
    timezone: customer.timezone,
    tax_identification_number: customer.taxIdentificationNumber ?? "",
    tax_exempt: customer.taxExempt ? "on" : "",
    tax_exemption_number: customer.taxExemptionNumber ?? "",
  };
}

/** Merging another customer into this one. */
export const mergeForm = z.object({ source_customer_id: uuid });

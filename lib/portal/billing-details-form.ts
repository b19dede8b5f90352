import { z } from "zod";
import type { Customer } from "@/lib/generated/prisma/client";
import type { CustomerFields } from "@/lib/customers/service-customers";
import type { FormValues } from "@/lib/console/forms/form-state";
import { billingAddressDefaults, billingAddressFields, billingAddressOf, checkProvinceOfCountry } from "@/lib/console/forms/billing-address-fields";
import { requiredText, textOrNull } from "@/lib/console/forms/form-schemas";

/**
 * What customers may change themselves: the name and address printed on their invoices and their tax number.
 * Currency, terms and tax exemption stay with staff.
 */
export const billingDetailsForm = z
  .object({
    legal_name: requiredText(),
    ...billingAddressFields,
    tax_identification_number: textOrNull(100),
  })
  .superRefine(checkProvinceOfCountry)
  .transform(
    (form): CustomerFields => ({
      legalName: form.legal_name,
      ...billingAddressOf(form),
      taxIdentificationNumber: form.tax_identification_number,
    }),
  );

export function billingDetailsDefaults(customer: Customer): FormValues {
  return {
    legal_name: customer.legalName,
    ...billingAddressDefaults(customer),
    tax_identification_number: customer.taxIdentificationNumber ?? "",
  };
}

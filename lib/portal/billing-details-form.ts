import { z } from "zod";
import { countryCode, isProvinceOfCountry } from "@/lib/api/schemas/common";
import type { Customer } from "@/lib/generated/prisma/client";
import type { CustomerFields } from "@/lib/customers/service-customers";
import type { FormValues } from "@/lib/console/forms/form-state";
import { requiredText, textOrNull } from "@/lib/console/forms/form-schemas";

/**
 * What customers may change themselves: the name and address printed on their invoices and their tax number.
 * Currency, terms and tax exemption stay with staff.
 */
export const billingDetailsForm = z
  .object({
    legal_name: requiredText(),
    address_line1: textOrNull(),
    address_line2: textOrNull(),
    city: textOrNull(),
    province: textOrNull(100).transform((v) => v?.toUpperCase() ?? null),
    postal_code: textOrNull(20),
    country: countryCode,
    tax_identification_number: textOrNull(100),
  })
  .superRefine((form, ctx) => {
    if (form.province && !isProvinceOfCountry(form.province, form.country)) {
      ctx.addIssue({ code: "custom", path: ["province"], message: "Not a Canadian province or territory code (e.g. ON, QC)." });
    }
  })
  .transform(
    (form): CustomerFields => ({
      legalName: form.legal_name,
      addressLine1: form.address_line1,
      addressLine2: form.address_line2,
      city: form.city,
      province: form.province,
      postalCode: form.postal_code,
      country: form.country,
      taxIdentificationNumber: form.tax_identification_number,
    }),
  );

export function billingDetailsDefaults(customer: Customer): FormValues {
  return {
    legal_name: customer.legalName,
    address_line1: customer.addressLine1 ?? "",
    address_line2: customer.addressLine2 ?? "",
    city: customer.city ?? "",
    province: customer.province ?? "",
    postal_code: customer.postalCode ?? "",
    country: customer.country,
    tax_identification_number: customer.taxIdentificationNumber ?? "",
  };
}

import { z } from "zod";
import type { Customer } from "@/lib/generated/prisma/client";
import { countryCode, isProvinceOfCountry } from "@/lib/api/schemas/common";
import { textOrNull } from "./form-schemas";

/** The billing address inputs, as staff (customer form) and customers (portal billing details) edit them. */
export const billingAddressFields = {
  address_line1: textOrNull(),
  address_line2: textOrNull(),
  city: textOrNull(),
  province: textOrNull(100).transform((v) => v?.toUpperCase() ?? null),
  postal_code: textOrNull(20),
  country: countryCode,
};

type BillingAddressInput = { address_line1: string | null; address_line2: string | null; city: string | null; province: string | null; postal_code: string | null; country: string };

/** The parsed inputs as customer fields. */
export function billingAddressOf(form: BillingAddressInput) {
  return {
    addressLine1: form.address_line1,
    addressLine2: form.address_line2,
    city: form.city,
    province: form.province,
    postalCode: form.postal_code,
    country: form.country,
  };
}

/** A province must be one of the country's (Canadian codes drive the tax). */
export function checkProvinceOfCountry(form: { province: string | null; country: string }, ctx: z.RefinementCtx) {
  if (form.province && !isProvinceOfCountry(form.province, form.country)) {
    ctx.addIssue({ code: "custom", path: ["province"], message: "Not a Canadian province or territory code (e.g. ON, QC)." });
  }
}

/** The inputs' starting values for a customer. */
export function billingAddressDefaults(customer: Customer) {
  return {
    address_line1: customer.addressLine1 ?? "",
    address_line2: customer.addressLine2 ?? "",
    city: customer.city ?? "",
    province: customer.province ?? "",
    postal_code: customer.postalCode ?? "",
    country: customer.country,
  };
}

import { z } from "zod";
import { catalogCode, countryCode, currencyCode, externalId, isoDateTime, isProvinceOfCountry, optionalText, timezoneName } from "./common";

/**
 * Lago's `POST /invoices/preview` body (top level, no root key; see lib/invoicing/invoice-preview.ts). The customer is
 * an existing one (`external_id`) or a prospect taxed from the address sent. Coupons in a preview are not implemented:
 * refused with `not_supported` rather than previewing a price the customer will not pay.
 */
export const invoicePreviewBody = z
  .strictObject({
    customer: z
      .strictObject({
        external_id: externalId.optional(),
        name: optionalText(),
        address_line1: optionalText(),
        address_line2: optionalText(),
        city: optionalText(),
        zipcode: optionalText(),
        state: optionalText(100),
        country: countryCode.nullable().optional(),
        currency: currencyCode.nullable().optional(),
        timezone: timezoneName.nullable().optional(),
        tax_identification_number: optionalText(),
      })
      .superRefine((customer, ctx) => {
        if (customer.state && !isProvinceOfCountry(customer.state, customer.country ?? "CA")) {
          ctx.addIssue({ code: "custom", path: ["state"], message: "value_is_invalid" });
        }
      }),
    plan_code: catalogCode.optional(),
    subscription_at: isoDateTime.optional(),
    billing_time: z.enum(["calendar", "anniversary"]).optional(),
    coupons: z.unknown().refine((v) => v === undefined || v === null || (Array.isArray(v) && v.length === 0), "not_supported").optional(),
    subscriptions: z
      .strictObject({
        external_ids: z.array(externalId).min(1).max(100),
        plan_code: catalogCode.optional(),
        terminated_at: isoDateTime.optional(),
      })
      .optional(),
  });

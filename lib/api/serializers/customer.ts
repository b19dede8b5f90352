import type { ServiceCustomer } from "@/lib/customers/service-customers";
import { DEFAULT_TIMEZONE } from "@/lib/format";

type MetadataItem = { key: string; value: string; display_in_invoice?: boolean };

/** A customer in Lago's response shape, as the calling service sees it (its own external id). */
export function serializeCustomer({ customer, link }: ServiceCustomer) {
  const metadata = Array.isArray(customer.metadata) ? (customer.metadata as MetadataItem[]) : [];
  return {
    lago_id: customer.id,
    external_id: link.externalId,
    sequential_id: customer.sequentialId,
    slug: `CUS-${String(customer.sequentialId).padStart(6, "0")}`,
    account_type: "customer",
    customer_type: null,
    name: customer.displayName ?? customer.legalName,
    firstname: null,
    lastname: null,
    legal_name: customer.legalName,
    legal_number: null,
    email: customer.email,
    phone: customer.phone,
    url: null,
    logo_url: null,
    address_line1: customer.addressLine1,
    address_line2: customer.addressLine2,
    city: customer.city,
    state: customer.province,
    zipcode: customer.postalCode,
    country: customer.country,
    currency: customer.currency,
    timezone: customer.timezone,
    applicable_timezone: customer.timezone ?? DEFAULT_TIMEZONE,
    tax_identification_number: customer.taxIdentificationNumber,
    tax_exempt: customer.taxExempt,
    tax_exemption_number: customer.taxExemptionNumber,
    net_payment_term: customer.netPaymentTermDays,
    external_salesforce_id: null,
    finalize_zero_amount_invoice: "inherit",
    billing_entity_code: null,
    billing_configuration: {
      invoice_grace_period: null,
      payment_provider: customer.stripeCustomerId ? "stripe" : null,
      provider_customer_id: customer.stripeCustomerId,
      document_locale: "en",
    },
    shipping_address: { address_line1: null, address_line2: null, city: null, zipcode: null, state: null, country: null },
    skip_invoice_custom_sections: false,
    metadata: metadata.map((m, i) => ({ lago_id: `${customer.id}:${i}`, key: m.key, value: m.value, display_in_invoice: Boolean(m.display_in_invoice), created_at: customer.createdAt.toISOString() })),
    taxes: [],
    integration_customers: [],
    applicable_invoice_custom_sections: [],
    error_details: [],
    created_at: link.createdAt.toISOString(),
    updated_at: customer.updatedAt.toISOString(),
  };
}

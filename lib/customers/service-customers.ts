import type { Db } from "@/lib/db/prisma";
import { DomainError, entityNotFound, invalidField, isUniqueViolation } from "@/lib/errors";
import type { AccountLink, Customer, Prisma } from "@/lib/generated/prisma/client";
import { terminateMany } from "@/lib/subscriptions/billing-schedule";
import { recordCustomerEvent } from "@/lib/webhooks/lifecycle-events";
import { consumeLinkToken, linkTokenRequired } from "./link-tokens";
import { containsInsensitive } from "@/lib/db/text-match";

/**
 * Customers as one service sees them. Identity rule: a service's `external_id` resolves through its AccountLink to one
 * unified Customer. A new external id creates a new Customer, unless the caller names an existing one with the
 * `billing_customer_id` hint (our customer id, which the console shows and which is the API's `lago_id`) together with
 * a `billing_link_token`, the customer side's consent (lib/customers/link-tokens.ts). Customers are never joined automatically on a shared e-mail or tax number — a service must not be able to attach itself to someone
 * else's ledger by claiming their address — the console lists such candidates and staff merge them.
 */
export type CustomerFields = Partial<
  Pick<
    Customer,
    | "legalName" | "displayName" | "email" | "phone" | "addressLine1" | "addressLine2" | "city" | "province" | "postalCode"
    | "country" | "currency" | "timezone" | "taxIdentificationNumber" | "netPaymentTermDays" | "taxExempt" | "taxExemptionNumber"
  >
> & { metadata?: Prisma.InputJsonValue };

export interface ServiceCustomer {
  customer: Customer;
  link: AccountLink;
}

export async function findServiceCustomer(client: Db | Prisma.TransactionClient, serviceId: string, externalId: string): Promise<ServiceCustomer | null> {
  const link = await client.accountLink.findUnique({
    where: { serviceId_externalId: { serviceId, externalId } },
    include: { customer: true },
  });
  if (!link || link.deletedAt || link.customer.deletedAt) return null;
  const { customer, ...plainLink } = link;
  return { customer, link: plainLink };
}

export async function getServiceCustomer(client: Db | Prisma.TransactionClient, serviceId: string, externalId: string): Promise<ServiceCustomer> {
  const found = await findServiceCustomer(client, serviceId, externalId);
  if (!found) throw entityNotFound("customer");
  return found;
}

export function checkTaxExemption(customer: Pick<Customer, "taxExempt" | "taxExemptionNumber">) {
  if (customer.taxExempt && !customer.taxExemptionNumber) {
    throw invalidField("tax_exemption_number", "value_is_mandatory", "A tax-exempt customer needs an exemption number");
  }
}

/**
 * Fields a service may not set: tax exemption is a staff decision (it removes tax from every service's invoices), made
 * in the console. Sending the value the customer already has is not a change and passes (apps echo what they read).
 */
const STAFF_ONLY_FIELDS = { taxExempt: "tax_exempt", taxExemptionNumber: "tax_exemption_number" } as const;

export function refuseStaffOnlyFields(current: Pick<Customer, "taxExempt" | "taxExemptionNumber"> | null, fields: CustomerFields) {
  const changed: Record<string, string[]> = {};
  const now = current ?? { taxExempt: false, taxExemptionNumber: null };
  for (const [field, name] of Object.entries(STAFF_ONLY_FIELDS) as [keyof typeof STAFF_ONLY_FIELDS, string][]) {
    const given = fields[field];
    if (given !== undefined && (given ?? null) !== (now[field] ?? null)) changed[name] = ["value_is_staff_only"];
  }
  if (Object.keys(changed).length) {
    throw new DomainError("forbidden", "staff_only_fields", changed, "Tax exemption is decided by staff in the console; a service cannot change it");
  }
}

/** Refuses a currency change once the customer has subscriptions or invoices (they are priced in the old one). */
export async function guardCurrencyChange(tx: Prisma.TransactionClient, customer: Customer, fields: CustomerFields) {
  if (!fields.currency || fields.currency === customer.currency) return;
  const priced = await tx.subscription.count({ where: { customerId: customer.id } }) + (await tx.invoice.count({ where: { customerId: customer.id } }));
  if (priced > 0) throw invalidField("currency", "currencies_does_not_match", "The customer already has subscriptions or invoices in another currency");
}

/**
 * Creates or updates the customer behind a service's external id; only the fields given are changed (Lago's upsert).
 * Safe under concurrent calls for the same external id.
 */
export async function upsertServiceCustomer(
  client: Db,
  input: { serviceId: string; externalId: string; fields: CustomerFields; billingCustomerId?: string; linkToken?: string; actor?: string },
): Promise<ServiceCustomer & { created: boolean }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.$transaction(async (tx) => {
        const existing = await findServiceCustomer(tx, input.serviceId, input.externalId);
        if (existing) {
          if (input.billingCustomerId && input.billingCustomerId !== existing.customer.id) {
            throw invalidField("billing_customer_id", "value_is_invalid", "This external id is already linked to another customer; merge customers in the console");
          }
          refuseStaffOnlyFields(existing.customer, input.fields);
          await guardCurrencyChange(tx, existing.customer, input.fields);
          checkTaxExemption({ ...existing.customer, ...input.fields });
          const customer = Object.keys(input.fields).length
            ? await tx.customer.update({ where: { id: existing.customer.id }, data: input.fields })
            : existing.customer;
          await tx.auditLog.create({
            data: { actorType: "service", actorId: input.serviceId, action: "customer.updated", entityType: "Customer", entityId: customer.id, data: { externalId: input.externalId } },
          });
          await recordCustomerEvent(tx, customer.id, "customer.updated");
          return { customer, link: existing.link, created: false };
        }

        let customer: Customer;
        if (input.billingCustomerId || input.linkToken) {
          if (!input.linkToken) throw linkTokenRequired();
          const targetId = await consumeLinkToken(tx, input.linkToken, input.serviceId, input.billingCustomerId);
          const target = await tx.customer.findUniqueOrThrow({ where: { id: targetId } });
          refuseStaffOnlyFields(target, input.fields);
          await guardCurrencyChange(tx, target, input.fields);
          checkTaxExemption({ ...target, ...input.fields });
          customer = Object.keys(input.fields).length ? await tx.customer.update({ where: { id: target.id }, data: input.fields }) : target;
          // The services already linked see their shared customer change.
          if (Object.keys(input.fields).length) await recordCustomerEvent(tx, customer.id, "customer.updated");
        } else {
          const legalName = input.fields.legalName ?? input.fields.displayName ?? input.externalId;
          refuseStaffOnlyFields(null, input.fields);
          checkTaxExemption({ taxExempt: input.fields.taxExempt ?? false, taxExemptionNumber: input.fields.taxExemptionNumber ?? null });
          customer = await tx.customer.create({ data: { ...input.fields, legalName } });
        }
        // A link removed earlier (customer deleted through the API) is replaced by the new one.
        await tx.accountLink.deleteMany({ where: { serviceId: input.serviceId, externalId: input.externalId, deletedAt: { not: null } } });
        const link = await tx.accountLink.create({ data: { serviceId: input.serviceId, externalId: input.externalId, customerId: customer.id } });
        await tx.auditLog.create({
          data: { actorType: "service", actorId: input.serviceId, action: "customer.linked", entityType: "Customer", entityId: customer.id, data: { externalId: input.externalId } },
        });
        await recordCustomerEvent(tx, customer.id, "customer.created", [input.serviceId]);
        return { customer, link, created: true };
      });
    } catch (error) {
      // Two first calls for one external id raced: the loser retries and finds the winner's link.
      if (attempt < 2 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

export async function listServiceCustomers(
  client: Db,
  serviceId: string,
  query: { skip: number; take: number; externalId?: string; search?: string; countries?: string[]; currencies?: string[] },
) {
  const where: Prisma.AccountLinkWhereInput = {
    serviceId,
    deletedAt: null,
    ...(query.externalId ? { externalId: query.externalId } : {}),
    customer: {
      deletedAt: null,
      ...(query.countries?.length ? { country: { in: query.countries.map((c) => c.toUpperCase()) } } : {}),
      ...(query.currencies?.length ? { currency: { in: query.currencies.map((c) => c.toUpperCase()) } } : {}),
      ...(query.search
        ? {
            OR: [
              { legalName: containsInsensitive(query.search) },
              { displayName: containsInsensitive(query.search) },
              { email: containsInsensitive(query.search) },
            ],
          }
        : {}),
    },
  };
  const [total, links] = await Promise.all([
    client.accountLink.count({ where }),
    client.accountLink.findMany({ where, include: { customer: true }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: query.skip, take: query.take }),
  ]);
  return { total, items: links.map(({ customer, ...link }) => ({ customer, link })) };
}

/**
 * Removes a service's customer: its account link is ended and that service's active or pending subscriptions for the
 * customer are terminated now. The unified customer, its other links and its ledger history stay.
 */
export async function deleteServiceCustomer(client: Db, serviceId: string, externalId: string): Promise<ServiceCustomer> {
  return client.$transaction(async (tx) => {
    const found = await getServiceCustomer(tx, serviceId, externalId);
    const now = new Date();
    await terminateMany(tx, { serviceId, customerId: found.customer.id }, now);
    await tx.subscription.updateMany({
      where: { serviceId, customerId: found.customer.id, status: { in: ["pending", "draft"] } },
      data: { status: "canceled", canceledAt: now },
    });
    const link = await tx.accountLink.update({ where: { id: found.link.id }, data: { deletedAt: now } });
    await tx.auditLog.create({
      data: { actorType: "service", actorId: serviceId, action: "customer.unlinked", entityType: "Customer", entityId: found.customer.id, data: { externalId } },
    });
    return { customer: found.customer, link };
  });
}

/** Each customer's external id in this service (for responses that name the customer as the service knows it). */
export async function externalIdsOfCustomers(client: Db | Prisma.TransactionClient, serviceId: string, customerIds: string[]): Promise<Map<string, string>> {
  const links = await client.accountLink.findMany({
    where: { serviceId, customerId: { in: [...new Set(customerIds)] } },
    orderBy: [{ deletedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
  });
  const map = new Map<string, string>();
  for (const link of links) if (!map.has(link.customerId)) map.set(link.customerId, link.externalId);
  return map;
}

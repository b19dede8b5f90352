import { Prisma, type Customer } from "@/lib/generated/prisma/client";

/**
 * Who an issued invoice is billed to, frozen when it is issued: a customer who later edits their address (portal,
 * console, API) changes their next invoices, never the ones already issued.
 */
export const BILLED_TO_FIELDS = [
  "legalName", "addressLine1", "addressLine2", "city", "province", "postalCode", "country", "email", "taxIdentificationNumber", "taxExemptionNumber",
] as const satisfies readonly (keyof Customer)[];

export type BilledTo = Pick<Customer, (typeof BILLED_TO_FIELDS)[number]>;

/** The snapshot's fields in BILLED_TO_FIELDS order (spelt out: the period close takes one per invoice). */
export function billedToOf(c: BilledTo): BilledTo {
  return {
    legalName: c.legalName, addressLine1: c.addressLine1, addressLine2: c.addressLine2, city: c.city, province: c.province, postalCode: c.postalCode,
    country: c.country, email: c.email, taxIdentificationNumber: c.taxIdentificationNumber, taxExemptionNumber: c.taxExemptionNumber,
  };
}

/** The same snapshot built in SQL from a "Customer" row aliased `alias`, for issuing drafts in one statement. */
export function billedToSql(alias: string): Prisma.Sql {
  return Prisma.raw(`json_build_object(${BILLED_TO_FIELDS.map((field) => `'${field}', ${alias}."${field}"`).join(", ")})`);
}

/** The snapshot of an issued invoice, or the customer as they are now for a draft (or an invoice issued before snapshots). */
export function billedToOfInvoice(invoice: { billedTo: Prisma.JsonValue | null; customer: BilledTo }): BilledTo {
  const snapshot = invoice.billedTo as Partial<BilledTo> | null;
  if (!snapshot || typeof snapshot !== "object" || typeof snapshot.legalName !== "string") return billedToOf(invoice.customer);
  return billedToOf({ ...billedToOf(invoice.customer), ...snapshot } as BilledTo);
}

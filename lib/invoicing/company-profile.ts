import type { SellerTaxRegistrations } from "@/lib/billing/canadian-tax";
import type { CompanyProfile, Prisma } from "@/lib/generated/prisma/client";
import type { Db } from "@/lib/db/prisma";

export type CompanyProfileValues = Omit<CompanyProfile, "updatedAt">;

export const UNSET_COMPANY_PROFILE: CompanyProfileValues = {
  id: 1, legalName: "Nexa (company profile not set)", addressLine1: null, addressLine2: null, city: null, province: null,
  postalCode: null, country: "CA", email: null, gstHstNumber: null, qstNumber: null, bcPstNumber: null, mbRstNumber: null,
  skPstNumber: null, invoiceGracePeriodDays: 0, defaultPaymentTermDays: 30, overdueReminderDays: [1, 7, 14, 30], invoiceFooter: null, logoId: null,
  journalAccounts: {},
};

export async function companyProfile(client: Db | Prisma.TransactionClient): Promise<CompanyProfileValues> {
  return (await client.companyProfile.findUnique({ where: { id: 1 } })) ?? UNSET_COMPANY_PROFILE;
}

export function sellerRegistrations(profile: Pick<CompanyProfileValues, "gstHstNumber" | "qstNumber" | "bcPstNumber" | "mbRstNumber" | "skPstNumber">): SellerTaxRegistrations {
  return { gstHst: profile.gstHstNumber, qst: profile.qstNumber, bcPst: profile.bcPstNumber, mbRst: profile.mbRstNumber, skPst: profile.skPstNumber };
}

/** Days a customer has to pay: their own terms, or the company's default. */
export function paymentTermDays(customer: { netPaymentTermDays: number | null }, profile: Pick<CompanyProfileValues, "defaultPaymentTermDays">): number {
  return customer.netPaymentTermDays ?? profile.defaultPaymentTermDays;
}

/**
 * What a document prints about the seller, frozen when the document is issued: changing the company profile (a new
 * address, a new registration, a new logo or footer) changes the next documents, never the ones already issued.
 */
export const SELLER_FIELDS = [
  "legalName", "addressLine1", "addressLine2", "city", "province", "postalCode", "country", "email",
  "gstHstNumber", "qstNumber", "bcPstNumber", "mbRstNumber", "skPstNumber", "invoiceFooter", "logoId",
] as const satisfies readonly (keyof CompanyProfileValues)[];

export type Seller = Pick<CompanyProfileValues, (typeof SELLER_FIELDS)[number]>;

export function sellerOf(profile: Seller): Seller {
  return Object.fromEntries(SELLER_FIELDS.map((field) => [field, profile[field] ?? null])) as Seller;
}

/** The seller printed on a document: its snapshot, or the profile as it is now for a draft (or a document issued before snapshots). */
export function sellerOfDocument(snapshot: Prisma.JsonValue | null, current: CompanyProfileValues): Seller {
  const stored = snapshot as Partial<Seller> | null;
  if (!stored || typeof stored !== "object" || typeof stored.legalName !== "string") return sellerOf(current);
  return Object.fromEntries(SELLER_FIELDS.map((field) => [field, stored[field] ?? null])) as Seller;
}

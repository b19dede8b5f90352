import type { SellerTaxRegistrations } from "@/lib/billing/canadian-tax";
import type { CompanyProfile, Prisma } from "@/lib/generated/prisma/client";
import type { Db } from "@/lib/db/prisma";

export const UNSET_COMPANY_PROFILE: Omit<CompanyProfile, "updatedAt"> = {
  id: 1, legalName: "Nexa (company profile not set)", addressLine1: null, addressLine2: null, city: null, province: null,
  postalCode: null, country: "CA", email: null, gstHstNumber: null, qstNumber: null, bcPstNumber: null, mbRstNumber: null,
  skPstNumber: null, invoiceGracePeriodDays: 0,
};

export async function companyProfile(client: Db | Prisma.TransactionClient): Promise<Omit<CompanyProfile, "updatedAt">> {
  return (await client.companyProfile.findUnique({ where: { id: 1 } })) ?? UNSET_COMPANY_PROFILE;
}

export function sellerRegistrations(profile: Omit<CompanyProfile, "updatedAt">): SellerTaxRegistrations {
  return { gstHst: profile.gstHstNumber, qst: profile.qstNumber, bcPst: profile.bcPstNumber, mbRst: profile.mbRstNumber, skPst: profile.skPstNumber };
}

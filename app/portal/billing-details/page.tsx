import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { billingDetailsDefaults } from "@/lib/portal/billing-details-form";
import { requirePortalCustomer } from "@/lib/portal/portal-session";
import { saveBillingDetails } from "@/app/portal/actions";
import { BillingDetailsForm } from "@/components/portal/billing-details-form";

export const metadata: Metadata = { title: "Billing details · Customer portal" };
export const dynamic = "force-dynamic";

export default async function PortalBillingDetails() {
  const session = await requirePortalCustomer();
  const customer = await db().customer.findUniqueOrThrow({ where: { id: session.customerId } });
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Billing details</h1>
        <p className="mt-1 text-sm text-slate-600">Printed on your invoices; your province sets the sales tax.</p>
      </div>
      <BillingDetailsForm action={saveBillingDetails} defaults={billingDetailsDefaults(customer)} />
    </div>
  );
}

import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { listAddOnRows, listCouponRows } from "@/lib/console/coupons";
import { db } from "@/lib/db/prisma";
import { AddOnForm, AddOnsTable, CouponForm, CouponsTable } from "@/components/console/coupon-panels";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { createAddOnAction, createCouponAction, terminateCouponAction } from "./actions";

export const metadata: Metadata = { title: "Coupons and add-ons" };
export const dynamic = "force-dynamic";

export default async function CouponsPage() {
  await requireStaffPage("/console/coupons");
  const [coupons, addOns, services] = await Promise.all([
    listCouponRows(db()),
    listAddOnRows(db()),
    db().service.findMany({ orderBy: { code: "asc" }, select: { id: true, code: true, name: true } }),
  ]);
  const serviceChoices = services.map((s) => ({ value: s.id, label: `${s.code} — ${s.name}` }));
  const terminate = Object.fromEntries(coupons.map((c) => [c.id, terminateCouponAction.bind(null, c.id)]));
  return (
    <div className="space-y-8">
      <PageHeader title="Coupons and add-ons" description="Discounts the services give their customers (taken off before tax), and one-off items they sell." />
      <PageSection title="Coupons" description="Each belongs to one service; customers get them from the app (applied_coupons) or from their page here.">
        <CouponsTable rows={coupons} terminate={terminate} />
        <Panel><CouponForm action={createCouponAction} services={serviceChoices} /></Panel>
      </PageSection>
      <PageSection title="Add-ons" description="Billed on one-off invoices, from the app (POST /invoices) or from a customer's page.">
        <AddOnsTable rows={addOns} />
        <Panel><AddOnForm action={createAddOnAction} services={serviceChoices} /></Panel>
      </PageSection>
    </div>
  );
}

import type { Metadata } from "next";
import { listReceipts } from "@/lib/console/payment-receipts";
import { db } from "@/lib/db/prisma";
import { PageHeader } from "@/components/console/page-header";
import { ReceiptsTable } from "@/components/console/receipts-table";

export const metadata: Metadata = { title: "Payments received" };
export const dynamic = "force-dynamic";

export default async function PaymentsPage() {
  const rows = await listReceipts(db(), { take: 500 });
  return (
    <div className="space-y-6">
      <PageHeader title="Payments received"
        description="Cheques, EFTs, wires and cash recorded by finance (the latest 500). Record one from the customer's page; open one to see what it paid or to reverse it." />
      <ReceiptsTable rows={rows} />
    </div>
  );
}

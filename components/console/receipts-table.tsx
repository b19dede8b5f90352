"use client";

import { SimpleDataTable } from "@/components/data-table/simple-data-table";
import type { ReceiptRow } from "@/lib/console/payment-receipts";
import { formatMoney } from "@/lib/format";

/** Offline payments recorded (TanStack table), each linking to its page (details, reversal). */
export function ReceiptsTable({ rows, showCustomer = true }: { rows: ReceiptRow[]; showCustomer?: boolean }) {
  return (
    <SimpleDataTable label="Offline payments" empty="No offline payment recorded."
      columns={[
        { key: "receivedOn", header: "Received" },
        ...(showCustomer ? [{ key: "customer", header: "Customer", link: true }] : []),
        { key: "method", header: "Method" },
        { key: "reference", header: "Reference", link: true },
        { key: "amount", header: "Amount", align: "right" as const },
        { key: "unapplied", header: "Credit left", align: "right" as const },
        { key: "invoices", header: "Invoices" },
        { key: "status", header: "Status" },
      ]}
      rows={rows.map((r) => ({
        receivedOn: r.receivedOn,
        customer: r.customer,
        customerHref: `/console/customers/${r.customerId}`,
        method: r.method,
        reference: r.reference,
        referenceHref: `/console/payments/${r.id}`,
        amount: formatMoney(BigInt(r.amountCents), r.currency),
        unapplied: formatMoney(BigInt(r.unappliedCents), r.currency),
        invoices: r.invoices || "—",
        status: r.status === "reversed" ? "Reversed" : "Recorded",
      }))} />
  );
}

"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import type { PortalInvoiceRow } from "@/lib/portal/portal-ledger";
import { INVOICE_STATUS_LABEL } from "@/lib/portal/invoice-status";
import { formatDate, formatMoney } from "@/lib/format";
import { ServerDataTable, type ServerTableState } from "@/components/data-table/server-data-table";

const columns: ColumnDef<PortalInvoiceRow, unknown>[] = [
  {
    id: "number",
    accessorKey: "number",
    header: "Invoice",
    cell: ({ row }) => <Link href={`/portal/invoices/${row.original.id}`} className="font-medium text-sky-700 hover:underline">{row.original.number}</Link>,
  },
  { id: "service", accessorKey: "serviceName", header: "Service", enableSorting: false },
  { id: "issuingDate", accessorKey: "issuingDate", header: "Date", cell: ({ row }) => (row.original.issuingDate ? formatDate(`${row.original.issuingDate}T12:00:00Z`, "UTC") : "—") },
  {
    id: "status",
    accessorKey: "status",
    header: "Status",
    cell: ({ row }) => {
      const status = INVOICE_STATUS_LABEL[row.original.status] ?? { label: row.original.status, style: "" };
      const failed = row.original.status === "finalized" && row.original.paymentStatus === "failed";
      return <span className={`rounded-full px-2 py-0.5 text-xs ${failed ? "bg-rose-100 text-rose-800" : status.style}`}>{failed ? "Payment failed" : status.label}</span>;
    },
  },
  { id: "totalCents", accessorKey: "totalCents", header: "Total", cell: ({ row }) => formatMoney(BigInt(row.original.totalCents), row.original.currency) },
  { id: "amountDue", accessorKey: "amountDueCents", header: "Due", enableSorting: false, cell: ({ row }) => formatMoney(BigInt(row.original.amountDueCents), row.original.currency) },
];

export function PortalInvoicesTable({ rows, state }: { rows: PortalInvoiceRow[]; state: ServerTableState }) {
  return <ServerDataTable label="Invoices" columns={columns} data={rows} state={state} paramPrefix="" filterPlaceholder="Invoice number or service…" getRowId={(r) => r.id} />;
}

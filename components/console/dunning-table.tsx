"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import type { DunningRow } from "@/lib/console/collections";
import { formatDateTime, formatMoney } from "@/lib/format";
import { ServerDataTable, type ServerTableState } from "@/components/data-table/server-data-table";
import { UrlSelectFilter } from "@/components/data-table/url-select-filter";

const STATUS_STYLE: Record<string, string> = {
  active: "bg-amber-100 text-amber-800",
  recovered: "bg-emerald-100 text-emerald-800",
  suspended: "bg-rose-100 text-rose-800",
  canceled: "bg-slate-100 text-slate-600",
};

const columns: ColumnDef<DunningRow, unknown>[] = [
  { id: "invoice", header: "Invoice", enableSorting: false, cell: ({ row }) => <Link href={`/console/invoices/${row.original.invoiceId}`} className="font-medium text-sky-700 hover:underline">{row.original.invoiceNumber}</Link> },
  { id: "customer", accessorKey: "customer", header: "Customer", enableSorting: false },
  { id: "service", accessorKey: "service", header: "Service", enableSorting: false },
  { id: "status", accessorKey: "status", header: "Status", cell: ({ row }) => <span className={`rounded-full px-2 py-0.5 text-xs ${STATUS_STYLE[row.original.status]}`}>{row.original.status === "canceled" ? "cancelled" : row.original.status}</span> },
  { id: "retries", header: "Retries done", enableSorting: false, cell: ({ row }) => row.original.retriesDone },
  { id: "startedAt", accessorKey: "startedAt", header: "First failure", cell: ({ row }) => formatDateTime(row.original.startedAt) },
  { id: "nextActionAt", accessorKey: "nextActionAt", header: "Next step", cell: ({ row }) => (row.original.nextAction ? `${row.original.nextAction} · ${formatDateTime(row.original.nextActionAt!)}` : "—") },
  { id: "due", header: "Due", enableSorting: false, cell: ({ row }) => formatMoney(BigInt(row.original.amountDueCents), row.original.currency) },
  { id: "lastError", accessorKey: "lastError", header: "Last failure", enableSorting: false, cell: ({ row }) => row.original.lastError ?? "—" },
];

export function DunningTable({ rows, state, status }: { rows: DunningRow[]; state: ServerTableState; status: string | null }) {
  return (
    <div className="space-y-3">
      <UrlSelectFilter label="Dunning status" param="status" pageParam="d_page" value={status}
        options={[{ value: "active", label: "Active" }, { value: "recovered", label: "Recovered" }, { value: "suspended", label: "Suspended" }, { value: "canceled", label: "Cancelled" }]} />
      <ServerDataTable label="Invoices in dunning" columns={columns} data={rows} state={state} paramPrefix="d_" exportPath="/console/collections/export" filterPlaceholder="Invoice number or customer…" getRowId={(r) => r.id} />
    </div>
  );
}

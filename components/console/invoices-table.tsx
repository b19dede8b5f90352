"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import type { InvoiceRow } from "@/lib/console/invoices";
import { formatDate, formatMoney } from "@/lib/format";
import { ServerDataTable, type ServerTableState } from "@/components/data-table/server-data-table";
import { UrlSelectFilter } from "@/components/data-table/url-select-filter";

const STATUS_STYLE: Record<string, string> = {
  draft: "bg-slate-100 text-slate-700",
  finalized: "bg-sky-100 text-sky-800",
  paid: "bg-emerald-100 text-emerald-800",
  voided: "bg-rose-100 text-rose-800",
};

const columns: ColumnDef<InvoiceRow, unknown>[] = [
  {
    id: "number",
    accessorKey: "number",
    header: "Number",
    cell: ({ row }) => (
      <Link href={`/console/invoices/${row.original.id}`} className="font-medium text-sky-700 hover:underline">
        {row.original.number ?? "Draft"}
      </Link>
    ),
  },
  {
    id: "status",
    accessorKey: "status",
    header: "Status",
    cell: ({ row }) => (
      <span className="flex gap-1">
        <span className={`rounded-full px-2 py-0.5 text-xs ${STATUS_STYLE[row.original.status]}`}>{row.original.status}</span>
        {row.original.shadow ? <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs text-amber-800">shadow</span> : null}
      </span>
    ),
  },
  { id: "service", accessorKey: "service", header: "Service", enableSorting: false },
  { id: "customer", accessorKey: "customer", header: "Customer", enableSorting: false },
  {
    id: "periodStart",
    accessorKey: "periodStart",
    header: "Period",
    cell: ({ row }) => `${formatDate(row.original.periodStart, row.original.timezone)} – ${formatDate(row.original.periodEnd, row.original.timezone)}`,
  },
  { id: "totalCents", accessorKey: "totalCents", header: "Total", cell: ({ row }) => formatMoney(BigInt(row.original.totalCents), row.original.currency) },
];

export function InvoicesTable({ rows, state, status }: { rows: InvoiceRow[]; state: ServerTableState; status: string | null }) {
  return (
    <div className="space-y-3">
      <UrlSelectFilter label="Status" param="status" pageParam="i_page" value={status}
        options={[{ value: "draft", label: "Draft" }, { value: "finalized", label: "Finalized" }, { value: "paid", label: "Paid" }, { value: "voided", label: "Voided" }]} />
      <ServerDataTable label="Invoices" columns={columns} data={rows} state={state} paramPrefix="i_" exportPath="/console/invoices/export" filterPlaceholder="Filter by number, customer or service…" getRowId={(r) => r.id} />
    </div>
  );
}

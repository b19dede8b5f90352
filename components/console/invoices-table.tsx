"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { InvoiceRow } from "@/lib/console/invoices";
import { formatDate, formatMoney } from "@/lib/format";
import { ServerDataTable, type ServerTableState } from "@/components/data-table/server-data-table";

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
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  return (
    <div className="space-y-3">
      <label className="flex items-center gap-2 text-sm text-slate-600">
        Status
        <select
          aria-label="Status filter"
          value={status ?? ""}
          onChange={(e) => {
            const next = new URLSearchParams(params.toString());
            if (e.target.value) next.set("status", e.target.value);
            else next.delete("status");
            next.delete("i_page");
            router.replace(`${pathname}?${next.toString()}`);
          }}
          className="rounded-md border border-slate-300 px-2 py-1"
        >
          <option value="">All</option>
          <option value="draft">Draft</option>
          <option value="finalized">Finalised</option>
          <option value="paid">Paid</option>
          <option value="voided">Voided</option>
        </select>
      </label>
      <ServerDataTable label="Invoices" columns={columns} data={rows} state={state} paramPrefix="i_" filterPlaceholder="Filter by number, customer or service…" getRowId={(r) => r.id} />
    </div>
  );
}

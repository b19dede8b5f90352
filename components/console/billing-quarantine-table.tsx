"use client";

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import type { FormState } from "@/lib/console/forms/form-state";
import { ConfirmActionForm } from "@/components/forms/confirm-action";

export interface QuarantineRow {
  id: string;
  customerId: string;
  customerName: string;
  serviceName: string;
  boundary: string;
  reason: string;
  fix: string;
  attempts: number;
  lastSeen: string;
  releaseAction: (state: FormState, formData: FormData) => Promise<FormState>;
}

const columns: ColumnDef<QuarantineRow, unknown>[] = [
  {
    id: "customer",
    header: "Customer",
    cell: ({ row }) => <Link href={`/console/customers/${row.original.customerId}`} className="font-medium text-sky-700 hover:underline">{row.original.customerName}</Link>,
  },
  { accessorKey: "serviceName", header: "Service" },
  { accessorKey: "boundary", header: "Billing date" },
  {
    id: "reason",
    header: "Why it was set aside · how to fix it",
    cell: ({ row }) => (
      <div className="max-w-xl space-y-1">
        <p>{row.original.reason}</p>
        <p className="text-slate-600">{row.original.fix}</p>
      </div>
    ),
  },
  { accessorKey: "lastSeen", header: "Last tried" },
  {
    id: "release",
    header: "",
    cell: ({ row }) => (
      <ConfirmActionForm serverAction={row.original.releaseAction} label="Release" tone="primary" confirmLabel="Yes, bill it on the next run"
        question="Fixed? The next billing run bills this group again (and sets it aside again if it still cannot be billed)." />
    ),
  },
];

/** Billing groups the period close set aside: each with its reason, how to fix it, and a Release button. */
export function BillingQuarantineTable({ rows }: { rows: QuarantineRow[] }) {
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (row) => row.id });
  return (
    <section aria-label="Quarantined billing groups" className="overflow-x-auto rounded-lg border border-amber-300 bg-white">
      <table className="min-w-full text-sm">
        <thead className="bg-amber-50 text-left text-xs uppercase tracking-wide text-slate-600">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => <th key={header.id} scope="col" className="px-4 py-2 font-medium">{flexRender(header.column.columnDef.header, header.getContext())}</th>)}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-100">
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getVisibleCells().map((cell) => <td key={cell.id} className="px-4 py-2 align-top">{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

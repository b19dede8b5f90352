"use client";

import { flexRender, getCoreRowModel, getSortedRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";
import { useState } from "react";
import { formatDate, formatMoney } from "@/lib/format";

export interface PortalCreditNoteRow {
  id: string;
  number: string;
  invoiceNumber: string;
  kind: string;
  reason: string;
  issuedAt: string;
  currency: string;
  totalCents: string;
  balanceCents: string;
  pdfUrl: string;
}

/** The customer's credit notes (a few per year at most: sorted in the browser). */
export function PortalCreditNotesTable({ rows, timezone }: { rows: PortalCreditNoteRow[]; timezone: string }) {
  const [sorting, setSorting] = useState<SortingState>([{ id: "issuedAt", desc: true }]);
  const columns: ColumnDef<PortalCreditNoteRow, unknown>[] = [
    { id: "number", accessorKey: "number", header: "Credit note", cell: ({ row }) => <a href={row.original.pdfUrl} className="font-medium text-sky-700 hover:underline">{row.original.number}</a> },
    { id: "invoiceNumber", accessorKey: "invoiceNumber", header: "Invoice" },
    { id: "issuedAt", accessorKey: "issuedAt", header: "Date", cell: ({ row }) => formatDate(row.original.issuedAt, timezone) },
    { id: "kind", accessorKey: "kind", header: "Type", cell: ({ row }) => (row.original.kind === "refund" ? "Refund" : "Credit") },
    { id: "reason", accessorKey: "reason", header: "Reason", cell: ({ row }) => row.original.reason.replace(/_/g, " ") },
    { id: "totalCents", accessorFn: (r) => Number(r.totalCents), header: "Amount", cell: ({ row }) => formatMoney(BigInt(row.original.totalCents), row.original.currency) },
    { id: "balanceCents", accessorFn: (r) => Number(r.balanceCents), header: "Credit left", cell: ({ row }) => (row.original.kind === "credit" ? formatMoney(BigInt(row.original.balanceCents), row.original.currency) : "—") },
  ];
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: rows, columns, state: { sorting }, onSortingChange: setSorting, getCoreRowModel: getCoreRowModel(), getSortedRowModel: getSortedRowModel(), getRowId: (r) => r.id });
  if (!rows.length) return <p className="text-slate-500">No credit notes.</p>;
  return (
    <table aria-label="Credit notes" className="min-w-full rounded-lg border border-slate-200 text-sm">
      <thead className="bg-slate-50 text-left text-xs uppercase text-slate-500">
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header) => (
              <th key={header.id} className="px-4 py-2" aria-sort={header.column.getIsSorted() === "asc" ? "ascending" : header.column.getIsSorted() === "desc" ? "descending" : "none"}>
                <button type="button" onClick={header.column.getToggleSortingHandler()} className="uppercase">{flexRender(header.column.columnDef.header, header.getContext())}</button>
              </th>
            ))}
          </tr>
        ))}
      </thead>
      <tbody className="divide-y divide-slate-100">
        {table.getRowModel().rows.map((row) => (
          <tr key={row.id}>{row.getVisibleCells().map((cell) => <td key={cell.id} className="px-4 py-2">{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}</tr>
        ))}
      </tbody>
    </table>
  );
}

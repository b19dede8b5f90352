"use client";

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import Link from "next/link";

export interface SimpleColumn {
  key: string;
  header: string;
  align?: "left" | "right";
  /** Render the cell as a link to the row's `<key>Href` value. */
  link?: boolean;
}

export type SimpleRow = Record<string, string | null>;

/** A small TanStack table for short, fully loaded lists (a drill-down's lines, a summary); columns are plain data. */
export function SimpleDataTable({ label, columns, rows, empty = "Nothing here yet." }: { label: string; columns: SimpleColumn[]; rows: SimpleRow[]; empty?: string }) {
  const defs: ColumnDef<SimpleRow, unknown>[] = columns.map((c) => ({
    id: c.key,
    accessorFn: (row) => row[c.key],
    header: c.header,
    cell: ({ row }) => {
      const value = row.original[c.key];
      const href = row.original[`${c.key}Href`];
      return c.link && href ? <Link href={href} className="font-medium text-sky-700 hover:underline">{value}</Link> : value;
    },
  }));
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: rows, columns: defs, getCoreRowModel: getCoreRowModel() });
  const alignOf = (id: string) => (columns.find((c) => c.key === id)?.align === "right" ? "text-right" : "text-left");
  return (
    <section aria-label={label} className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm">
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className={`px-4 py-2 font-medium ${alignOf(header.column.id)}`}>
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-100">
          {table.getRowModel().rows.length === 0 ? (
            <tr><td colSpan={columns.length} className="px-4 py-6 text-center text-slate-500">{empty}</td></tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="hover:bg-slate-50">
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={`px-4 py-2 align-top ${alignOf(cell.column.id)}`}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}

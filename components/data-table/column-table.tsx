"use client";

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import type { ReactNode } from "react";

/** A column's extra classes for its header and cells (alignment), through TanStack's `meta`. */
export interface ColumnMeta {
  className?: string;
}

const TONES = {
  default: { section: "border-slate-200", head: "bg-slate-50 text-slate-500" },
  warning: { section: "border-amber-300", head: "bg-amber-50 text-slate-600" },
} as const;

const metaClass = (meta: unknown) => (meta as ColumnMeta | undefined)?.className ?? "";

/**
 * The console's markup for a short, fully loaded TanStack table whose columns render their own cells (forms, links,
 * buttons). `empty` is shown in place of rows when there are none; `children` follow the table inside its section.
 */
export function ColumnTable<T>({ label, columns, rows, getRowId, empty, tone = "default", children }: {
  label: string;
  columns: ColumnDef<T, unknown>[];
  rows: T[];
  getRowId?: (row: T) => string;
  empty?: string;
  tone?: keyof typeof TONES;
  children?: ReactNode;
}) {
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId });
  const colours = TONES[tone];
  return (
    <section aria-label={label} className={`overflow-x-auto rounded-lg border bg-white ${colours.section}`}>
      <table className="min-w-full text-sm">
        <thead className={`text-left text-xs uppercase tracking-wide ${colours.head}`}>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className={`px-4 py-2 font-medium ${metaClass(header.column.columnDef.meta)}`}>
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-100">
          {empty !== undefined && table.getRowModel().rows.length === 0 ? (
            <tr><td colSpan={columns.length} className="px-4 py-6 text-center text-slate-500">{empty}</td></tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="hover:bg-slate-50">
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={`px-4 py-2 align-top ${metaClass(cell.column.columnDef.meta)}`}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {children}
    </section>
  );
}

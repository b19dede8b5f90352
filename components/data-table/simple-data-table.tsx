"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { ColumnTable } from "./column-table";

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
    meta: { className: c.align === "right" ? "text-right" : "text-left" },
    cell: ({ row }) => {
      const value = row.original[c.key];
      const href = row.original[`${c.key}Href`];
      return c.link && href ? <Link href={href} className="font-medium text-sky-700 hover:underline">{value}</Link> : value;
    },
  }));
  return <ColumnTable label={label} columns={defs} rows={rows} empty={empty} />;
}

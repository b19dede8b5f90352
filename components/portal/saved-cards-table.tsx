"use client";

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import type { PortalActionState } from "@/app/portal/actions";
import { PortalActionButton } from "./portal-action-button";

type CardAction = (state: PortalActionState) => Promise<PortalActionState>;

export interface SavedCardRow {
  id: string;
  /** "visa ending in 4242" */
  label: string;
  last4: string | null;
  expires: string;
  isDefault: boolean;
  /** The row's server actions, bound to its card. */
  makeDefault: CardAction;
  remove: CardAction;
}

const columns: ColumnDef<SavedCardRow, unknown>[] = [
  { id: "card", header: "Card", cell: ({ row }) => <span className="capitalize">{row.original.label}</span> },
  { id: "expires", header: "Expires", cell: ({ row }) => row.original.expires },
  {
    id: "default",
    header: "",
    cell: ({ row }) => (row.original.isDefault ? <span data-testid="default-card-badge" className="rounded-full bg-sky-100 px-2 py-0.5 text-xs text-sky-800">Default</span> : null),
  },
  {
    id: "actions",
    header: "Actions",
    cell: ({ row }) => (
      <span className="space-x-2">
        {row.original.isDefault ? null : <PortalActionButton action={row.original.makeDefault} label="Make default" pendingLabel="Saving…" variant="secondary" />}
        <PortalActionButton action={row.original.remove} label="Remove" pendingLabel="Removing…" variant="secondary" confirm={`Remove the card ending in ${row.original.last4}?`} />
      </span>
    ),
  },
];

/** The customer's saved cards with their actions. */
export function SavedCardsTable({ rows }: { rows: SavedCardRow[] }) {
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (r) => r.id });
  return (
    <table aria-label="Saved cards" className="min-w-full rounded-lg border border-slate-200 text-sm">
      <thead className="bg-slate-50 text-left text-xs uppercase text-slate-500">
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header) => (
              <th key={header.id} className={`px-4 py-2 ${header.column.id === "actions" ? "text-right" : ""}`}>{flexRender(header.column.columnDef.header, header.getContext())}</th>
            ))}
          </tr>
        ))}
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.length === 0 ? <tr><td colSpan={columns.length} className="px-4 py-3 text-slate-500">No card saved yet.</td></tr> : null}
        {table.getRowModel().rows.map((row) => (
          <tr key={row.id} data-testid="saved-card">
            {row.getVisibleCells().map((cell) => (
              <td key={cell.id} className={`px-4 py-2 ${cell.column.id === "actions" ? "text-right" : ""}`}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

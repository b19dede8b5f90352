"use client";

import type { ColumnDef } from "@tanstack/react-table";
import type { CustomerRow, ServiceRow } from "@/lib/console/directory";
import { formatDate } from "@/lib/format";
import { CellLink } from "@/components/data-table/cell-link";
import { ServerDataTable, type ServerTableState } from "@/components/data-table/server-data-table";

const serviceColumns: ColumnDef<ServiceRow, unknown>[] = [
  {
    id: "name",
    accessorKey: "name",
    header: "Name",
    cell: (c) => <CellLink href={`/console/services/${encodeURIComponent(c.row.original.code)}`}>{c.row.original.name}</CellLink>,
  },
  { id: "code", accessorKey: "code", header: "Code", cell: (c) => <code className="text-xs">{String(c.getValue())}</code> },
  {
    id: "mode",
    accessorKey: "mode",
    header: "Mode",
    cell: (c) => {
      const live = c.getValue() === "live";
      return (
        <span className={`rounded-full px-2 py-0.5 text-xs ${live ? "bg-emerald-100 text-emerald-800" : "bg-amber-100 text-amber-800"}`}>
          {live ? "Live" : "Shadow"}
        </span>
      );
    },
  },
  { id: "activeKeys", accessorKey: "activeKeys", header: "Active API keys", enableSorting: false },
  { id: "linkedAccounts", accessorKey: "linkedAccounts", header: "Linked accounts", enableSorting: false },
  { id: "createdAt", accessorKey: "createdAt", header: "Created", cell: (c) => formatDate(String(c.getValue())) },
];

const customerColumns: ColumnDef<CustomerRow, unknown>[] = [
  {
    id: "legalName",
    accessorKey: "legalName",
    header: "Legal name",
    cell: (c) => <CellLink href={`/console/customers/${c.row.original.id}`}>{c.row.original.legalName}</CellLink>,
  },
  { id: "email", accessorKey: "email", header: "E-mail", cell: (c) => (c.getValue() as string | null) ?? "—" },
  { id: "province", accessorKey: "province", header: "Province", cell: (c) => (c.getValue() as string | null) ?? "—" },
  { id: "country", accessorKey: "country", header: "Country" },
  { id: "currency", accessorKey: "currency", header: "Currency" },
  {
    id: "services",
    accessorKey: "services",
    header: "Services",
    enableSorting: false,
    cell: (c) => (c.getValue() as string[]).join(", ") || "—",
  },
  { id: "createdAt", accessorKey: "createdAt", header: "Created", cell: (c) => formatDate(String(c.getValue())) },
];

export function ServicesTable({ rows, state }: { rows: ServiceRow[]; state: ServerTableState }) {
  return <ServerDataTable label="Services" columns={serviceColumns} data={rows} state={state} paramPrefix="s_" exportPath="/console/services/export"
    filterPlaceholder="Filter by name or code…" getRowId={(r) => r.id} />;
}

export function CustomersTable({ rows, state }: { rows: CustomerRow[]; state: ServerTableState }) {
  return <ServerDataTable label="Customers" columns={customerColumns} data={rows} state={state} paramPrefix="c_" exportPath="/console/customers/export"
    filterPlaceholder="Filter by name, e-mail or account id…" getRowId={(r) => r.id} />;
}

"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import type { ImportRunRow } from "@/lib/console/nexacloud";
import { formatDateTime } from "@/lib/format";
import { ServerDataTable, type ServerTableState } from "@/components/data-table/server-data-table";

const columns: ColumnDef<ImportRunRow, unknown>[] = [
  {
    id: "startedAt", accessorKey: "startedAt", header: "Started",
    cell: ({ row }) => <Link href={`/console/imports/${row.original.id}`} className="font-medium text-sky-700 hover:underline">{formatDateTime(row.original.startedAt)}</Link>,
  },
  { id: "kind", header: "Kind", enableSorting: false, cell: ({ row }) => (row.original.dryRun ? "Dry run" : "Import") },
  { id: "status", accessorKey: "status", header: "Status" },
  { id: "createdCount", accessorKey: "createdCount", header: "Created" },
  { id: "updatedCount", header: "Updated", enableSorting: false, cell: ({ row }) => row.original.updatedCount },
  { id: "unchangedCount", header: "Unchanged", enableSorting: false, cell: ({ row }) => row.original.unchangedCount },
  { id: "skippedCount", header: "Skipped", enableSorting: false, cell: ({ row }) => row.original.skippedCount },
  { id: "failedCount", accessorKey: "failedCount", header: "Failed" },
  {
    id: "duration", header: "Duration", enableSorting: false,
    cell: ({ row }) => (row.original.finishedAt ? `${((Date.parse(row.original.finishedAt) - Date.parse(row.original.startedAt)) / 1000).toFixed(1)} s` : "running"),
  },
];

export function ImportRunsTable({ rows, state }: { rows: ImportRunRow[]; state: ServerTableState }) {
  return <ServerDataTable label="Import runs" columns={columns} data={rows} state={state} paramPrefix="r_" exportPath="/console/imports/export" filterPlaceholder="Filter by status (running, succeeded, failed)…" getRowId={(r) => r.id} />;
}

"use client";

import type { ColumnDef } from "@tanstack/react-table";
import type { MetricRow, PlanRow } from "@/lib/console/catalog-directory";
import { formatDate, formatMoney } from "@/lib/format";
import { CellLink } from "@/components/data-table/cell-link";
import { ServerDataTable, type ServerTableState } from "@/components/data-table/server-data-table";
import { AGGREGATION_LABELS } from "./metric-form";

const metricColumns: ColumnDef<MetricRow, unknown>[] = [
  {
    id: "name",
    accessorKey: "name",
    header: "Name",
    cell: (c) => <CellLink href={`/console/metrics/${encodeURIComponent(c.row.original.code)}`}>{c.row.original.name}</CellLink>,
  },
  { id: "code", accessorKey: "code", header: "Code", cell: (c) => <code className="text-xs">{String(c.getValue())}</code> },
  {
    id: "aggregation",
    accessorKey: "aggregation",
    header: "Aggregation",
    cell: (c) => {
      const row = c.row.original;
      return (
        <span>
          {AGGREGATION_LABELS[row.aggregation]}
          {row.fieldName ? <> · <code className="text-xs">{row.fieldName}</code></> : null}
          {row.recurring ? <span className="ml-2 rounded-full bg-sky-100 px-2 py-0.5 text-xs text-sky-800">recurring</span> : null}
        </span>
      );
    },
  },
  { id: "charges", accessorKey: "charges", header: "Plan charges", enableSorting: false },
  { id: "createdAt", accessorKey: "createdAt", header: "Created", cell: (c) => formatDate(String(c.getValue())) },
];

const planColumns: ColumnDef<PlanRow, unknown>[] = [
  {
    id: "name",
    accessorKey: "name",
    header: "Name",
    cell: (c) => <CellLink href={`/console/plans/${encodeURIComponent(c.row.original.code)}`}>{c.row.original.name}</CellLink>,
  },
  { id: "code", accessorKey: "code", header: "Code", cell: (c) => <code className="text-xs">{String(c.getValue())}</code> },
  { id: "interval", accessorKey: "interval", header: "Interval" },
  {
    id: "amountCents",
    accessorKey: "amountCents",
    header: "Base fee",
    cell: (c) => formatMoney(BigInt(c.row.original.amountCents), c.row.original.currency),
  },
  { id: "charges", accessorKey: "charges", header: "Charges", enableSorting: false, cell: (c) => (c.getValue() as string[]).join(", ") || "—" },
  { id: "createdAt", accessorKey: "createdAt", header: "Created", cell: (c) => formatDate(String(c.getValue())) },
];

export function MetricsTable({ rows, state }: { rows: MetricRow[]; state: ServerTableState }) {
  return <ServerDataTable label="Billable metrics" columns={metricColumns} data={rows} state={state} paramPrefix="m_" exportPath="/console/metrics/export"
    filterPlaceholder="Filter by name or code…" getRowId={(r) => r.id} />;
}

export function PlansTable({ rows, state }: { rows: PlanRow[]; state: ServerTableState }) {
  return <ServerDataTable label="Plans" columns={planColumns} data={rows} state={state} paramPrefix="p_" exportPath="/console/plans/export"
    filterPlaceholder="Filter by name or code…" getRowId={(r) => r.id} />;
}

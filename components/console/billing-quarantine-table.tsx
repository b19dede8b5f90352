"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { ColumnTable } from "@/components/data-table/column-table";
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
  return <ColumnTable label="Quarantined billing groups" columns={columns} rows={rows} getRowId={(row) => row.id} tone="warning" />;
}

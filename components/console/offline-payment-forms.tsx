"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { ColumnTable } from "@/components/data-table/column-table";
import Link from "next/link";
import { useActionState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import type { OpenInvoiceRow } from "@/lib/console/payment-receipts";
import { formatMoney } from "@/lib/format";
import { FieldErrors, FormMessage, SelectField, SubmitButton, TextAreaField, TextField, inputClass } from "@/components/forms/form-fields";

type Action = (state: FormState, formData: FormData) => Promise<FormState>;

const METHODS = [
  { value: "cheque", label: "Cheque" },
  { value: "eft", label: "EFT" },
  { value: "wire", label: "Wire transfer" },
  { value: "cash", label: "Cash" },
] as const;

/** The customer's open invoices, each with an amount to apply (TanStack table; inputs named apply.<invoice id>). */
function AllocationTable({ invoices, state }: { invoices: OpenInvoiceRow[]; state: FormState }) {
  const columns: ColumnDef<OpenInvoiceRow, unknown>[] = [
    { id: "number", header: "Invoice", cell: ({ row }) => <Link href={`/console/invoices/${row.original.id}`} className="font-medium text-sky-700 hover:underline">{row.original.number}</Link> },
    { id: "service", header: "Service", accessorFn: (r) => r.service },
    { id: "issuingDate", header: "Issued", accessorFn: (r) => r.issuingDate },
    { id: "dueDate", header: "Due", accessorFn: (r) => r.dueDate },
    { id: "amountDue", header: "Amount due", cell: ({ row }) => formatMoney(BigInt(row.original.amountDueCents), row.original.currency) },
    {
      id: "apply",
      header: "Apply",
      cell: ({ row }) => {
        const name = `apply.${row.original.id}`;
        const refused = state.status === "refused" ? state.values[name] ?? "" : "";
        return (
          <>
            <input name={name} aria-label={`Apply to ${row.original.number}`} inputMode="decimal" placeholder="0.00" defaultValue={refused}
              className={`${inputClass} w-28 text-right`} aria-invalid={Boolean(state.fieldErrors[name]?.length)} />
            <FieldErrors id={`${name}-error`} messages={state.fieldErrors[name]} />
          </>
        );
      },
    },
  ];
  return (
    <ColumnTable label="Open invoices" columns={columns} rows={invoices} getRowId={(r) => r.id} empty="No open invoice: the whole amount goes to the credit balance.">
      <FieldErrors id="allocations-error" messages={[...(state.fieldErrors.allocations ?? [])]} />
    </ColumnTable>
  );
}

export function RecordOfflinePaymentForm({ action, invoices, today }: { action: Action; invoices: OpenInvoiceRow[]; today: string }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  const defaults = { method: "cheque", received_on: today };
  return (
    <form action={formAction} className="space-y-4" noValidate aria-label="Record a payment">
      <FormMessage state={state} />
      <div className="grid gap-4 sm:grid-cols-4">
        <SelectField label="Method" name="method" options={METHODS} state={state} defaults={defaults} />
        <TextField label="Reference" name="reference" state={state} defaults={{}} hint="Cheque number, EFT trace or wire reference." />
        <TextField label="Amount received" name="amount" state={state} defaults={{}} placeholder="0.00" />
        <TextField label="Received on" name="received_on" type="date" state={state} defaults={defaults} />
      </div>
      <AllocationTable invoices={invoices} state={state} />
      <TextAreaField label="Note" name="note" state={state} defaults={{}} />
      <p className="text-xs text-slate-500">What is not applied to an invoice is added to the customer&apos;s credit balance.</p>
      <SubmitButton pendingLabel="Recording…">Record payment</SubmitButton>
    </form>
  );
}

export function ApplyCreditForm({ action, invoices }: { action: Action; invoices: OpenInvoiceRow[] }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate aria-label="Apply credit">
      <FormMessage state={state} />
      <AllocationTable invoices={invoices} state={state} />
      <SubmitButton pendingLabel="Applying…">Apply credit</SubmitButton>
    </form>
  );
}

export function ReversePaymentForm({ action }: { action: Action }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate aria-label="Reverse payment">
      <FormMessage state={state} />
      <TextField label="Reason" name="reason" state={state} defaults={{}} hint="E.g. cheque returned NSF, wire recalled, recorded in error." />
      <SubmitButton tone="danger" pendingLabel="Reversing…">Reverse payment</SubmitButton>
    </form>
  );
}

"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { useActionState, useMemo } from "react";
import type { AddOnRow, CouponRow } from "@/lib/console/coupons";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import { formatDate, formatMoney } from "@/lib/format";
import { ColumnTable } from "@/components/data-table/column-table";
import { ConfirmAction } from "@/components/forms/confirm-action";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/components/forms/form-fields";

type Action = (state: FormState, formData: FormData) => Promise<FormState>;
type Choice = { value: string; label: string };

function TerminateCoupon({ row, action }: { row: CouponRow; action: Action }) {
  const [state, dispatch, pending] = useActionState(action, IDLE_FORM as FormState);
  if (row.status === "terminated") return <span className="text-xs text-slate-500">terminated</span>;
  return (
    <div className="space-y-1">
      <ConfirmAction label="Terminate" question={`Stop new applications of ${row.code}? Customers who have it keep it.`} confirmLabel="Terminate" action={dispatch} pending={pending} />
      {state.status === "refused" ? <FormMessage state={state} /> : null}
    </div>
  );
}

/** Every service's coupons, with their terms, how many customers got them, and a Terminate button. */
export function CouponsTable({ rows, terminate }: { rows: CouponRow[]; terminate: Record<string, Action> }) {
  const columns = useMemo<ColumnDef<CouponRow, unknown>[]>(() => [
    { id: "code", header: "Code", cell: (c) => <code className="text-xs">{c.row.original.code}</code> },
    { id: "name", accessorKey: "name", header: "Name" },
    { id: "service", accessorKey: "service", header: "Service" },
    { id: "terms", accessorKey: "terms", header: "Terms" },
    { id: "plans", header: "Plans", cell: (c) => c.row.original.plans.join(", ") || "All plans" },
    { id: "expires", header: "Expires", cell: (c) => (c.row.original.expiresAt ? formatDate(c.row.original.expiresAt) : "—") },
    { id: "applications", accessorKey: "applications", header: "Applied", meta: { className: "text-right" } },
    { id: "status", header: "", cell: (c) => <TerminateCoupon row={c.row.original} action={terminate[c.row.original.id]} /> },
  ], [terminate]);
  return <ColumnTable label="Coupons" columns={columns} rows={rows} getRowId={(r) => r.id} empty="No coupons yet." />;
}

export function CouponForm({ action, services }: { action: Action; services: Choice[] }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate aria-label="New coupon">
      <FormMessage state={state} />
      <div className="grid gap-4 sm:grid-cols-3">
        <SelectField label="Service" name="service_id" state={state} options={services} />
        <TextField label="Name" name="name" state={state} />
        <TextField label="Code" name="code" state={state} hint="What the app sends when it applies it." />
        <SelectField label="Type" name="coupon_type" state={state} options={[{ value: "percentage", label: "Percentage" }, { value: "fixed_amount", label: "Fixed amount" }]} />
        <TextField label="Percentage" name="percentage_rate" state={state} hint="For a percentage coupon, e.g. 10" />
        <TextField label="Amount ($)" name="amount" state={state} hint="For a fixed-amount coupon, e.g. 50.00" />
        <SelectField label="Frequency" name="frequency" state={state} options={[{ value: "once", label: "Once" }, { value: "recurring", label: "Recurring" }, { value: "forever", label: "Forever" }]} />
        <TextField label="Invoices (recurring)" name="frequency_duration" state={state} hint="How many invoices a recurring coupon applies to." />
        <TextField label="Limited to plans" name="plan_codes" state={state} hint="Plan codes, comma-separated; empty for every plan." />
      </div>
      <SubmitButton>Create coupon</SubmitButton>
    </form>
  );
}

export function AddOnsTable({ rows }: { rows: AddOnRow[] }) {
  const columns = useMemo<ColumnDef<AddOnRow, unknown>[]>(() => [
    { id: "code", header: "Code", cell: (c) => <code className="text-xs">{c.row.original.code}</code> },
    { id: "name", accessorKey: "name", header: "Name" },
    { id: "service", accessorKey: "service", header: "Service" },
    { id: "amount", header: "Price", meta: { className: "text-right" }, cell: (c) => formatMoney(BigInt(c.row.original.amountCents), c.row.original.currency) },
  ], []);
  return <ColumnTable label="Add-ons" columns={columns} rows={rows} getRowId={(r) => r.id} empty="No add-ons yet." />;
}

export function AddOnForm({ action, services }: { action: Action; services: Choice[] }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate aria-label="New add-on">
      <FormMessage state={state} />
      <div className="grid gap-4 sm:grid-cols-3">
        <SelectField label="Service" name="service_id" state={state} options={services} />
        <TextField label="Name" name="name" state={state} />
        <TextField label="Code" name="code" state={state} />
        <TextField label="Price ($)" name="amount" state={state} />
      </div>
      <SubmitButton>Create add-on</SubmitButton>
    </form>
  );
}

export interface AppliedCouponRow {
  id: string;
  service: string;
  code: string;
  name: string;
  status: string;
  terms: string;
  remaining: string;
}

function RemoveApplied({ action }: { action: Action }) {
  const [, dispatch, pending] = useActionState(action, IDLE_FORM as FormState);
  return <ConfirmAction label="Remove" question="Stop applying this coupon to the customer's next invoices?" confirmLabel="Remove" action={dispatch} pending={pending} />;
}

/** A customer's coupons (applied, with what is left), a form to apply one, and a one-off invoice of an add-on. */
export function CustomerCouponsPanel({ applied, coupons, addOns, applyAction, removeActions, oneOffAction }: {
  applied: AppliedCouponRow[];
  coupons: Choice[];
  addOns: Choice[];
  applyAction: Action;
  removeActions: Record<string, Action>;
  oneOffAction: Action;
}) {
  const [applyState, apply] = useActionState(applyAction, IDLE_FORM as FormState);
  const [oneOffState, oneOff] = useActionState(oneOffAction, IDLE_FORM as FormState);
  const columns = useMemo<ColumnDef<AppliedCouponRow, unknown>[]>(() => [
    { id: "code", header: "Coupon", cell: (c) => <span><code className="text-xs">{c.row.original.code}</code> {c.row.original.name}</span> },
    { id: "service", accessorKey: "service", header: "Service" },
    { id: "terms", accessorKey: "terms", header: "Terms" },
    { id: "remaining", accessorKey: "remaining", header: "Left" },
    { id: "status", accessorKey: "status", header: "Status" },
    { id: "remove", header: "", cell: (c) => (c.row.original.status === "active" ? <RemoveApplied action={removeActions[c.row.original.id]} /> : null) },
  ], [removeActions]);
  return (
    <div className="space-y-4">
      <ColumnTable label="Applied coupons" columns={columns} rows={applied} getRowId={(r) => r.id} empty="No coupons." />
      <div className="grid gap-4 md:grid-cols-2">
        <form action={apply} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" noValidate aria-label="Apply a coupon">
          <FormMessage state={applyState} />
          <SelectField label="Coupon" name="coupon_id" state={applyState} options={coupons} />
          <SubmitButton>Apply coupon</SubmitButton>
        </form>
        <form action={oneOff} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" noValidate aria-label="One-off invoice">
          <FormMessage state={oneOffState} />
          <SelectField label="Add-on" name="add_on_id" state={oneOffState} options={addOns} />
          <TextField label="Units" name="units" state={oneOffState} defaults={{ units: "1" }} />
          <TextField label="Description" name="description" state={oneOffState} />
          <SubmitButton>Issue one-off invoice</SubmitButton>
        </form>
      </div>
    </div>
  );
}

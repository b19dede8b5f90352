"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { ColumnTable } from "@/components/data-table/column-table";
import { useActionState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import { ConfirmActionForm } from "@/components/forms/confirm-action";
import { FormMessage, inputClass, SelectField, SubmitButton, TextField } from "@/components/forms/form-fields";

type Action<R = undefined> = (state: FormState<R>, formData: FormData) => Promise<FormState<R>>;

const ROLE_OPTIONS = [
  { value: "viewer", label: "Viewer (reads only)" },
  { value: "finance", label: "Finance" },
  { value: "admin", label: "Administrator" },
] as const;

/** Invites someone: their one-time set-password link is e-mailed and shown here once. */
export function InviteStaffForm({ action }: { action: Action<{ link: string; note: string }> }) {
  const [state, invite] = useActionState(action, IDLE_FORM as FormState<{ link: string; note: string }>);
  return (
    <form action={invite} className="grid max-w-2xl grid-cols-1 gap-4 sm:grid-cols-3" noValidate>
      <TextField label="E-mail" name="email" type="email" state={state} />
      <TextField label="Name" name="name" state={state} />
      <SelectField label="Role" name="role" state={state} options={ROLE_OPTIONS} defaults={{ role: "viewer" }} />
      <div className="sm:col-span-3 space-y-2">
        <FormMessage state={state} />
        {state.status === "saved" && state.result ? (
          <div role="region" aria-label="Set-password link" className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            <code data-testid="set-password-link" className="block break-all font-mono text-xs">{state.result.link}</code>
            <p className="text-amber-900">{state.result.note}</p>
          </div>
        ) : null}
        <SubmitButton pendingLabel="Inviting…">Invite</SubmitButton>
      </div>
    </form>
  );
}

export interface StaffRow {
  id: string;
  name: string;
  email: string;
  role: string;
  status: "active" | "invited" | "disabled";
  lastSignIn: string;
  self: boolean;
  roleAction: Action;
  disableAction: Action;
}

function RoleCell({ row }: { row: StaffRow }) {
  const [state, save] = useActionState(row.roleAction, IDLE_FORM as FormState);
  return (
    <form action={save} className="flex items-center gap-2" aria-label={`Role of ${row.email}`}>
      <select name="role" defaultValue={row.role} key={row.role} className={`${inputClass} mt-0 w-40`} aria-label="Role">
        {ROLE_OPTIONS.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

const columns: ColumnDef<StaffRow, unknown>[] = [
  { accessorKey: "name", header: "Name" },
  { accessorKey: "email", header: "E-mail" },
  { id: "role", header: "Role", cell: ({ row }) => <RoleCell row={row.original} /> },
  { accessorKey: "status", header: "Status" },
  { accessorKey: "lastSignIn", header: "Last sign-in" },
  {
    id: "access",
    header: "Access",
    cell: ({ row }) => {
      const member = row.original;
      const disabled = member.status === "disabled";
      return (
        <ConfirmActionForm serverAction={member.disableAction} label={disabled ? "Enable" : "Disable"} fields={{ disabled: disabled ? "false" : "true" }}
          tone={disabled ? "primary" : "danger"} confirmLabel={disabled ? "Yes, enable" : "Yes, disable"}
          question={disabled ? `Let ${member.email} sign in again?` : `Disable ${member.email}? Their sessions end at once.${member.self ? " This is you." : ""}`} />
      );
    },
  },
];

export function StaffTable({ rows }: { rows: StaffRow[] }) {
  return <ColumnTable label="Staff" columns={columns} rows={rows} getRowId={(row) => row.id} />;
}

"use client";

import { useActionState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import type { RevealedSecret } from "@/lib/console/forms/service-forms";
import { ConfirmActionForm } from "@/components/forms/confirm-action";
import { FormMessage, SubmitButton, TextField } from "@/components/forms/form-fields";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";
import { RevealedSecretNotice } from "./service-credentials";

type Action<R = undefined> = (state: FormState<R>, formData: FormData) => Promise<FormState<R>>;

export interface ReportingTokenRow {
  id: string;
  name: string;
  prefix: string;
  created: string;
  lastUsed: string;
  revoked: string | null;
}

/** Read-only tokens of the company's BI tool (/api/reports/v1): create (shown once) and revoke; administrators only. */
export function ReportingTokensPanel({ rows, canEdit, createAction, revokeAction }: { rows: ReportingTokenRow[]; canEdit: boolean; createAction: Action<RevealedSecret>; revokeAction: Action }) {
  const [created, create] = useActionState(createAction, IDLE_FORM as FormState<RevealedSecret>);
  return (
    <div className="space-y-4">
      {canEdit ? (
        <form action={create} className="flex flex-wrap items-end gap-3" noValidate>
          <TextField label="New token name" name="name" state={created} placeholder="Metabase" />
          <SubmitButton pendingLabel="Creating…">Create reporting token</SubmitButton>
        </form>
      ) : null}
      <FormMessage state={created} />
      {created.status === "saved" && created.result ? <RevealedSecretNotice revealed={created.result} /> : null}
      <SimpleDataTable label="Reporting tokens" empty="No reporting token yet."
        columns={[{ key: "prefix", header: "Token" }, { key: "name", header: "Name" }, { key: "created", header: "Created" }, { key: "lastUsed", header: "Last used" }, { key: "status", header: "Status" }]}
        rows={rows.map((r) => ({ prefix: `${r.prefix}…`, name: r.name, created: r.created, lastUsed: r.lastUsed, status: r.revoked ? `Revoked ${r.revoked}` : "Active" }))} />
      {canEdit ? rows.filter((r) => !r.revoked).map((r) => (
        <ConfirmActionForm key={r.id} serverAction={revokeAction} label={`Revoke ${r.prefix}…`} fields={{ token_id: r.id }}
          question={<>Revoke <code>{r.prefix}…</code> ({r.name})? The BI tool using it is refused at once.</>} confirmLabel="Yes, revoke" />
      )) : null}
    </div>
  );
}

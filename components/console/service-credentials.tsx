"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { useActionState, useMemo, useState } from "react";
import type { ApiKeyRow } from "@/lib/console/directory";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import type { RevealedSecret } from "@/lib/console/forms/service-forms";
import { formatDateTime } from "@/lib/format";
import { ServerDataTable, type ServerTableState } from "@/components/data-table/server-data-table";
import { ConfirmAction, ConfirmActionForm } from "@/components/forms/confirm-action";
import { FormMessage, SubmitButton, TextField } from "@/components/forms/form-fields";

type Action<R = undefined> = (state: FormState<R>, formData: FormData) => Promise<FormState<R>>;

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <button type="button" className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50"
      onClick={() => navigator.clipboard.writeText(text).then(() => setCopied(true), () => setCopied(false))}>
      {copied === null ? "Copy" : copied ? "Copied" : "Copy failed: select the text"}
    </button>
  );
}

/** A secret from the action's response, shown this once. */
export function RevealedSecretNotice({ revealed }: { revealed: RevealedSecret }) {
  return (
    <div role="region" aria-label="New secret" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="font-medium">{revealed.label}</p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="revealed-secret" className="break-all rounded bg-white px-2 py-1 font-mono text-xs">{revealed.secret}</code>
        <CopyButton text={revealed.secret} />
      </div>
      <p className="text-amber-900">Copy it now and give it to the app: it is shown only this once and cannot be displayed again.</p>
    </div>
  );
}

/** The service's API keys: create, rotate (replace) and revoke. A new key's full text appears once, in the response. */
export function ApiKeysPanel({ rows, state, issueAction, revokeAction }: {
  rows: ApiKeyRow[];
  state: ServerTableState;
  issueAction: Action<RevealedSecret>;
  revokeAction: Action;
}) {
  const [issued, issue, issuing] = useActionState(issueAction, IDLE_FORM as FormState<RevealedSecret>);
  const columns = useMemo<ColumnDef<ApiKeyRow, unknown>[]>(() => [
    { id: "prefix", accessorKey: "prefix", header: "Key", cell: (c) => <code className="text-xs">{String(c.getValue())}…</code> },
    { id: "name", accessorKey: "name", header: "Name" },
    { id: "createdAt", accessorKey: "createdAt", header: "Created", cell: (c) => formatDateTime(String(c.getValue())) },
    {
      id: "lastUsedAt",
      accessorKey: "lastUsedAt",
      header: "Last used",
      cell: (c) => (c.getValue() ? formatDateTime(String(c.getValue())) : "Never"),
    },
    {
      id: "status",
      header: "Status",
      enableSorting: false,
      cell: (c) => {
        const key = c.row.original;
        if (key.revokedAt) return <span className="text-slate-500">Revoked {formatDateTime(key.revokedAt)}</span>;
        return (
          <div className="flex flex-wrap items-start gap-2">
            <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800">Active</span>
            <ConfirmAction label="Rotate" tone="primary" action={issue} pending={issuing} fields={{ replaces_key_id: key.id }}
              question={<>Replace <code>{key.prefix}…</code> with a new key? The old one stops working at once.</>} confirmLabel="Yes, rotate" />
            <ConfirmActionForm serverAction={revokeAction} label="Revoke" fields={{ key_id: key.id }}
              question={<>Revoke <code>{key.prefix}…</code>? Apps using it are refused at once.</>} confirmLabel="Yes, revoke" />
          </div>
        );
      },
    },
  ], [issue, issuing, revokeAction]);

  return (
    <div className="space-y-4">
      <form action={issue} className="flex flex-wrap items-end gap-3" noValidate>
        <TextField label="New key name" name="name" state={issued} placeholder="default" />
        <SubmitButton pendingLabel="Creating…">Create API key</SubmitButton>
      </form>
      <FormMessage state={issued} />
      {issued.status === "saved" && issued.result ? <RevealedSecretNotice revealed={issued.result} /> : null}
      <ServerDataTable label="Keys" columns={columns} data={rows} state={state} paramPrefix="k_"
        filterPlaceholder="Filter by name or prefix…" getRowId={(r) => r.id} />
    </div>
  );
}

/** The secret every webhook of the service is signed with (masked; a new one is shown once, after rotation). */
export function SigningSecretPanel({ maskedSecret, rotateAction }: { maskedSecret: string | null; rotateAction: Action<RevealedSecret> }) {
  const [rotated, rotate, rotating] = useActionState(rotateAction, IDLE_FORM as FormState<RevealedSecret>);
  return (
    <div className="space-y-2">
      <p className="text-sm font-medium">Signing secret</p>
      <p className="text-sm">
        {maskedSecret ? <code data-testid="masked-secret" className="font-mono text-xs">{maskedSecret}</code> : <span className="text-slate-500">None yet: rotate to create one.</span>}
      </p>
      <FormMessage state={rotated} />
      {rotated.status === "saved" && rotated.result ? <RevealedSecretNotice revealed={rotated.result} /> : null}
      <ConfirmAction label="Rotate signing secret" action={rotate} pending={rotating}
        question="Replace the signing secret? Webhooks are signed with the new one at once: the app must be given it." confirmLabel="Yes, rotate" />
    </div>
  );
}

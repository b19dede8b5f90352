"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { useActionState, useMemo } from "react";
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from "@/lib/console/webhook-log";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import { EVENT_TYPE_FIELD_PREFIX } from "@/lib/console/forms/service-forms";
import { formatDateTime } from "@/lib/format";
import { CellLink } from "@/components/data-table/cell-link";
import { ServerDataTable, type ServerTableState } from "@/components/data-table/server-data-table";
import { ConfirmActionForm } from "@/components/forms/confirm-action";
import { CheckboxField, FormMessage, SubmitButton, TextField } from "@/components/forms/form-fields";

type Action = (state: FormState, formData: FormData) => Promise<FormState>;

const STATUS_STYLE: Record<string, string> = {
  delivered: "bg-emerald-100 text-emerald-800",
  pending: "bg-amber-100 text-amber-900",
  failed: "bg-red-100 text-red-800",
};

function StatusBadge({ status }: { status: string }) {
  return <span data-testid="delivery-status" className={`rounded-full px-2 py-0.5 text-xs ${STATUS_STYLE[status] ?? "bg-slate-100"}`}>{status}</span>;
}

/** The service's endpoints: add one (URL, name, event types), enable/disable, remove. */
export function WebhookEndpointsPanel({ rows, state, eventTypes, createAction, activeAction, deleteAction }: {
  rows: WebhookEndpointRow[];
  state: ServerTableState;
  eventTypes: readonly string[];
  createAction: Action;
  activeAction: Action;
  deleteAction: Action;
}) {
  const [created, create] = useActionState(createAction, IDLE_FORM as FormState);
  const columns = useMemo<ColumnDef<WebhookEndpointRow, unknown>[]>(() => [
    { id: "url", accessorKey: "url", header: "URL", cell: (c) => <code className="break-all text-xs">{String(c.getValue())}</code> },
    { id: "name", accessorKey: "name", header: "Name", cell: (c) => (c.getValue() as string | null) ?? "—" },
    {
      id: "eventTypes",
      header: "Event types",
      enableSorting: false,
      cell: (c) => (c.row.original.eventTypes.length ? <span className="text-xs">{c.row.original.eventTypes.join(", ")}</span> : "All"),
    },
    { id: "createdAt", accessorKey: "createdAt", header: "Created", cell: (c) => formatDateTime(String(c.getValue())) },
    {
      id: "active",
      header: "State",
      enableSorting: false,
      cell: (c) => {
        const endpoint = c.row.original;
        return (
          <div className="flex flex-wrap items-start gap-2">
            <span className={`rounded-full px-2 py-0.5 text-xs ${endpoint.active ? "bg-emerald-100 text-emerald-800" : "bg-slate-100 text-slate-600"}`}>
              {endpoint.active ? "Active" : "Disabled"}
            </span>
            <ConfirmActionForm serverAction={activeAction} tone="primary" label={endpoint.active ? "Disable" : "Enable"}
              fields={{ endpoint_id: endpoint.id, active: String(!endpoint.active) }}
              question={endpoint.active ? "Stop sending to this endpoint? Its deliveries wait until it is enabled again." : "Send to this endpoint again?"}
              confirmLabel={endpoint.active ? "Yes, disable" : "Yes, enable"} />
            <ConfirmActionForm serverAction={deleteAction} label="Remove" fields={{ endpoint_id: endpoint.id }}
              question="Remove this endpoint and its delivery log?" confirmLabel="Yes, remove" />
          </div>
        );
      },
    },
  ], [activeAction, deleteAction]);

  return (
    <div className="space-y-4">
      <ServerDataTable label="Webhook endpoints" columns={columns} data={rows} state={state} paramPrefix="e_"
        filterPlaceholder="Filter by URL or name…" getRowId={(r) => r.id} />
      <form action={create} className="space-y-3" noValidate aria-label="Add a webhook endpoint">
        <FormMessage state={created} />
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField label="Endpoint URL" name="webhook_url" state={created} type="url" placeholder="https://app.example.com/billing/webhooks"
            hint="https:// (plain http only for localhost)." />
          <TextField label="Name" name="name" state={created} placeholder="optional" />
        </div>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Event types (none ticked: every type)</legend>
          <div className="grid gap-1 sm:grid-cols-3">
            {eventTypes.map((type) => <CheckboxField key={type} label={type} name={`${EVENT_TYPE_FIELD_PREFIX}${type}`} state={created} />)}
          </div>
        </fieldset>
        <SubmitButton pendingLabel="Adding…">Add endpoint</SubmitButton>
      </form>
    </div>
  );
}

/** The delivery log: one row per event and endpoint, linking to its payload and attempts. */
export function WebhookDeliveriesTable({ rows, state, serviceCode }: { rows: WebhookDeliveryRow[]; state: ServerTableState; serviceCode: string }) {
  const columns = useMemo<ColumnDef<WebhookDeliveryRow, unknown>[]>(() => [
    {
      id: "eventType",
      header: "Event",
      enableSorting: false,
      cell: (c) => <CellLink href={`/console/services/${encodeURIComponent(serviceCode)}/deliveries/${c.row.original.id}`}>{c.row.original.eventType}</CellLink>,
    },
    { id: "url", header: "Endpoint", enableSorting: false, cell: (c) => <code className="break-all text-xs">{c.row.original.url}</code> },
    { id: "status", accessorKey: "status", header: "Status", cell: (c) => <StatusBadge status={String(c.getValue())} /> },
    { id: "attempts", accessorKey: "attempts", header: "Attempts" },
    {
      id: "lastStatusCode",
      accessorKey: "lastStatusCode",
      header: "Last status",
      cell: (c) => (c.getValue() as number | null) ?? (c.row.original.lastError ? <span className="text-xs text-red-700">{c.row.original.lastError}</span> : "—"),
    },
    { id: "lastLatencyMs", accessorKey: "lastLatencyMs", header: "Latency", cell: (c) => (c.getValue() === null ? "—" : `${String(c.getValue())} ms`) },
    { id: "createdAt", accessorKey: "createdAt", header: "Created", cell: (c) => formatDateTime(String(c.getValue())) },
    { id: "nextAttemptAt", accessorKey: "nextAttemptAt", header: "Next attempt", cell: (c) => (c.getValue() ? formatDateTime(String(c.getValue())) : "—") },
  ], [serviceCode]);
  return (
    <ServerDataTable label="Webhook deliveries" columns={columns} data={rows} state={state} paramPrefix="d_"
      filterPlaceholder="Filter by event type, status or URL…" getRowId={(r) => r.id} />
  );
}

/** Every HTTP attempt of one delivery. */
export function WebhookAttemptsTable({ rows, state }: { rows: WebhookAttemptRow[]; state: ServerTableState }) {
  const columns = useMemo<ColumnDef<WebhookAttemptRow, unknown>[]>(() => [
    { id: "attempt", accessorKey: "attempt", header: "#" },
    { id: "startedAt", accessorKey: "startedAt", header: "Sent", cell: (c) => formatDateTime(String(c.getValue())) },
    { id: "statusCode", accessorKey: "statusCode", header: "Status", cell: (c) => (c.getValue() as number | null) ?? "—" },
    { id: "latencyMs", accessorKey: "latencyMs", header: "Latency", cell: (c) => `${String(c.getValue())} ms` },
    { id: "error", accessorKey: "error", header: "Error", enableSorting: false, cell: (c) => (c.getValue() as string | null) ?? "—" },
    {
      id: "response",
      accessorKey: "response",
      header: "Response",
      enableSorting: false,
      cell: (c) => (c.getValue() ? <code className="break-all text-xs">{String(c.getValue()).slice(0, 200)}</code> : "—"),
    },
  ], []);
  return <ServerDataTable label="Attempts" columns={columns} data={rows} state={state} paramPrefix="a_" filterPlaceholder="Filter by error or response…" getRowId={(r) => r.id} />;
}

export function ReplayDeliveryButton({ deliveryId, replayAction }: { deliveryId: string; replayAction: Action }) {
  return (
    <ConfirmActionForm serverAction={replayAction} tone="primary" label="Replay" fields={{ delivery_id: deliveryId }}
      question="Send this event again now, with the same event id?" confirmLabel="Yes, replay" />
  );
}

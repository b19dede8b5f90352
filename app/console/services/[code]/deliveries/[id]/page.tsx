import type { Metadata } from "next";
import type { ReactNode } from "react";
import { notFound } from "next/navigation";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { parseTableQuery, tableState, type SearchParams } from "@/lib/console/table-query";
import { findWebhookDelivery, listWebhookAttempts, WEBHOOK_ATTEMPT_SORTS } from "@/lib/console/webhook-log";
import { db } from "@/lib/db/prisma";
import { formatDateTime } from "@/lib/format";
import { findServiceByCode } from "@/lib/services/services";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { ReplayDeliveryButton, WebhookAttemptsTable } from "@/components/console/webhook-tables";
import { replayWebhookDeliveryAction } from "../../../actions";
import { codeParamOrNotFound, uuidParamOrNotFound } from "@/lib/pages/page-params";

export const metadata: Metadata = { title: "Webhook delivery" };
export const dynamic = "force-dynamic";

export default async function WebhookDeliveryPage({ params, searchParams }: { params: Promise<{ code: string; id: string }>; searchParams: Promise<SearchParams> }) {
  const { code, id } = await params;
  codeParamOrNotFound(code);
  uuidParamOrNotFound(id);
  await requireStaffPage(`/console/services/${encodeURIComponent(code)}/deliveries/${encodeURIComponent(id)}`);
  const service = await findServiceByCode(db(), code);
  if (!service) notFound();
  const delivery = await findWebhookDelivery(db(), service.id, id);
  if (!delivery) notFound();
  const query = parseTableQuery(await searchParams, "a_", { sortable: WEBHOOK_ATTEMPT_SORTS, defaultSort: "attempt", defaultPerPage: 25 });
  const attempts = await listWebhookAttempts(db(), delivery.id, query);
  const facts: [string, ReactNode][] = [
    ["Event id", <code key="id" data-testid="event-id" className="text-xs">{delivery.event.id}</code>],
    ["Endpoint", <code key="url" className="break-all text-xs">{delivery.endpoint.url}</code>],
    ["Status", <span key="status" data-testid="delivery-status">{delivery.status}</span>],
    ["Attempts", <span key="attempts" data-testid="delivery-attempts">{delivery.attempts}</span>],
    ["Last status", delivery.lastStatusCode ?? delivery.lastError ?? "—"],
    ["Last latency", delivery.lastLatencyMs === null ? "—" : `${delivery.lastLatencyMs} ms`],
    ["Created", formatDateTime(delivery.createdAt)],
    ["Delivered", delivery.deliveredAt ? formatDateTime(delivery.deliveredAt) : "—"],
    ["Next attempt", delivery.status === "pending" ? formatDateTime(delivery.nextAttemptAt) : "—"],
  ];
  return (
    <div className="space-y-8">
      <PageHeader title={delivery.event.eventType} back={{ href: `/console/services/${encodeURIComponent(service.code)}`, label: service.name }}
        description={<>Webhook delivery of a {delivery.event.objectType} event</>}>
        <ReplayDeliveryButton deliveryId={delivery.id} replayAction={replayWebhookDeliveryAction.bind(null, service.code)} />
      </PageHeader>
      <Panel>
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
          {facts.map(([label, value]) => (
            <div key={label}><dt className="text-slate-500">{label}</dt><dd>{value}</dd></div>
          ))}
        </dl>
      </Panel>
      <PageSection title="Attempts" description="Each request: its HTTP status (none when the connection failed or timed out), latency and the start of the answer.">
        <WebhookAttemptsTable rows={attempts.rows} state={tableState(query, attempts)} />
      </PageSection>
      <PageSection title="Payload" description="The JSON body as sent (shown indented); signed per request with X-Nexa-Signature and X-Lago-Signature.">
        <pre data-testid="delivery-payload" className="overflow-x-auto rounded-lg border border-slate-200 bg-white p-4 text-xs">{delivery.body}</pre>
      </PageSection>
    </div>
  );
}

import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { API_KEY_SORTS, listApiKeys } from "@/lib/console/directory";
import { parseTableQuery, tableState, type SearchParams } from "@/lib/console/table-query";
import { listWebhookDeliveries, listWebhookEndpointRows, WEBHOOK_DELIVERY_SORTS, WEBHOOK_ENDPOINT_SORTS } from "@/lib/console/webhook-log";
import { db } from "@/lib/db/prisma";
import { formatDateTime } from "@/lib/format";
import { findServiceByCode } from "@/lib/services/services";
import { maskSecret } from "@/lib/services/webhook-settings";
import { openWebhookSecret } from "@/lib/services/webhook-secrets";
import { EMITTED_EVENT_TYPES } from "@/lib/webhooks/outbound-events";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { ApiKeysPanel, SigningSecretPanel } from "@/components/console/service-credentials";
import { WebhookDeliveriesTable, WebhookEndpointsPanel } from "@/components/console/webhook-tables";
import { codeParamOrNotFound } from "@/lib/pages/page-params";
import {
  createWebhookEndpointAction, deleteWebhookEndpointAction, issueApiKeyAction, revokeApiKeyAction, rotateWebhookSecretAction,
  setWebhookEndpointActiveAction,
} from "../actions";

export const metadata: Metadata = { title: "Service" };
export const dynamic = "force-dynamic";

export default async function ServicePage({ params, searchParams }: { params: Promise<{ code: string }>; searchParams: Promise<SearchParams> }) {
  const { code } = await params;
  codeParamOrNotFound(code);
  await requireStaffPage(`/console/services/${encodeURIComponent(code)}`);
  const service = await findServiceByCode(db(), code);
  if (!service) notFound();
  const search = await searchParams;
  const keyQuery = parseTableQuery(search, "k_", { sortable: API_KEY_SORTS, defaultSort: "createdAt", defaultDesc: true });
  const endpointQuery = parseTableQuery(search, "e_", { sortable: WEBHOOK_ENDPOINT_SORTS, defaultSort: "createdAt" });
  const deliveryQuery = parseTableQuery(search, "d_", { sortable: WEBHOOK_DELIVERY_SORTS, defaultSort: "createdAt", defaultDesc: true, defaultPerPage: 25 });
  const [keys, endpoints, deliveries] = await Promise.all([
    listApiKeys(db(), service.id, keyQuery),
    listWebhookEndpointRows(db(), service.id, endpointQuery),
    listWebhookDeliveries(db(), service.id, deliveryQuery),
  ]);
  return (
    <div className="space-y-10">
      <PageHeader title={service.name} back={{ href: "/console/services", label: "Services" }}
        description={<>Code <code>{service.code}</code> · {service.mode === "live" ? "Live" : "Shadow"} · created {formatDateTime(service.createdAt)}</>} />
      <PageSection title="API keys" description="The app sends one with every call (Authorization: Bearer …). Only a key's first characters are kept readable.">
        <ApiKeysPanel rows={keys.rows} state={tableState(keyQuery, keys)}
          issueAction={issueApiKeyAction.bind(null, service.code)} revokeAction={revokeApiKeyAction.bind(null, service.code)} />
      </PageSection>
      <PageSection title="Webhooks" description="Lifecycle events are posted to each active endpoint subscribed to them, signed with the service's secret.">
        <Panel>
          <WebhookEndpointsPanel rows={endpoints.rows} state={tableState(endpointQuery, endpoints)} eventTypes={EMITTED_EVENT_TYPES}
            createAction={createWebhookEndpointAction.bind(null, service.code)} activeAction={setWebhookEndpointActiveAction.bind(null, service.code)}
            deleteAction={deleteWebhookEndpointAction.bind(null, service.code)} />
        </Panel>
        <Panel>
          <SigningSecretPanel maskedSecret={service.webhookSigningSecret ? maskSecret(openWebhookSecret(service.webhookSigningSecret)) : null}
            rotateAction={rotateWebhookSecretAction.bind(null, service.code)} />
        </Panel>
      </PageSection>
      <PageSection title="Delivery log" description="Each event to each endpoint: retried with back-off until answered 200, 201, 202 or 204; open one to see its payload and attempts, or replay it.">
        <WebhookDeliveriesTable rows={deliveries.rows} state={tableState(deliveryQuery, deliveries)} serviceCode={service.code} />
      </PageSection>
    </div>
  );
}

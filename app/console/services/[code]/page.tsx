import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { API_KEY_SORTS, listApiKeys } from "@/lib/console/directory";
import { parseTableQuery, tableState, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { formatDateTime } from "@/lib/format";
import { findServiceByCode } from "@/lib/services/services";
import { maskSecret } from "@/lib/services/webhook-settings";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { ApiKeysPanel, WebhookSettings } from "@/components/console/service-credentials";
import { issueApiKeyAction, revokeApiKeyAction, rotateWebhookSecretAction, updateWebhookUrlAction } from "../actions";

export const metadata: Metadata = { title: "Service" };
export const dynamic = "force-dynamic";

export default async function ServicePage({ params, searchParams }: { params: Promise<{ code: string }>; searchParams: Promise<SearchParams> }) {
  const { code } = await params;
  await requireStaffPage(`/console/services/${encodeURIComponent(code)}`);
  const service = await findServiceByCode(db(), code);
  if (!service) notFound();
  const query = parseTableQuery(await searchParams, "k_", { sortable: API_KEY_SORTS, defaultSort: "createdAt", defaultDesc: true });
  const keys = await listApiKeys(db(), service.id, query);
  return (
    <div className="space-y-10">
      <PageHeader title={service.name} back={{ href: "/console/services", label: "Services" }}
        description={<>Code <code>{service.code}</code> · {service.mode === "live" ? "Live" : "Shadow"} · created {formatDateTime(service.createdAt)}</>} />
      <PageSection title="API keys" description="The app sends one with every call (Authorization: Bearer …). Only a key's first characters are kept readable.">
        <ApiKeysPanel rows={keys.rows} state={tableState(query, keys)}
          issueAction={issueApiKeyAction.bind(null, service.code)} revokeAction={revokeApiKeyAction.bind(null, service.code)} />
      </PageSection>
      <PageSection title="Webhooks" description="Lifecycle events are posted to the app, signed with the secret below.">
        <Panel>
          <WebhookSettings webhookUrl={service.webhookUrl} maskedSecret={service.webhookSigningSecret ? maskSecret(service.webhookSigningSecret) : null}
            urlAction={updateWebhookUrlAction.bind(null, service.code)} rotateAction={rotateWebhookSecretAction.bind(null, service.code)} />
        </Panel>
      </PageSection>
    </div>
  );
}

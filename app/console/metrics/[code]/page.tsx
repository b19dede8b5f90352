import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { countPlansUsingMetric, findMetricByCode } from "@/lib/catalog/billable-metrics";
import { db } from "@/lib/db/prisma";
import { formatCount, formatDateTime } from "@/lib/format";
import { ConfirmActionForm } from "@/components/forms/confirm-action";
import { MetricForm } from "@/components/console/metric-form";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { deleteMetricAction, updateMetricAction } from "../actions";
import { codeParamOrNotFound } from "@/lib/pages/page-params";

export const metadata: Metadata = { title: "Metric" };
export const dynamic = "force-dynamic";

export default async function MetricPage({ params }: { params: Promise<{ code: string }> }) {
  const { code } = await params;
  codeParamOrNotFound(code);
  await requireStaffPage(`/console/metrics/${encodeURIComponent(code)}`);
  const metric = await findMetricByCode(db(), code);
  if (!metric) notFound();
  const plans = await countPlansUsingMetric(db(), metric.id);
  return (
    <div className="space-y-8">
      <PageHeader title={metric.name} back={{ href: "/console/metrics", label: "Metrics" }}
        description={<>Code <code>{metric.code}</code> · created {formatDateTime(metric.createdAt)} · priced by {formatCount(plans, "plan")}</>} />
      <PageSection title="Edit metric">
        <Panel>
          <MetricForm action={updateMetricAction.bind(null, metric.code)} submitLabel="Save metric" locked={plans > 0}
            defaults={{
              name: metric.name,
              code: metric.code,
              description: metric.description ?? "",
              aggregation: metric.aggregation,
              field_name: metric.fieldName ?? "",
              recurring: metric.recurring ? "on" : "",
            }} />
        </Panel>
      </PageSection>
      <PageSection title="Delete metric"
        description={plans > 0 ? `Deleting it also removes its charges from ${formatCount(plans, "plan")}.` : "No plan prices it."}>
        <ConfirmActionForm serverAction={deleteMetricAction.bind(null, metric.code)} label="Delete metric"
          question={<>Delete <strong>{metric.name}</strong>{plans > 0 ? " and its plan charges" : ""}?</>} confirmLabel="Yes, delete" />
      </PageSection>
    </div>
  );
}

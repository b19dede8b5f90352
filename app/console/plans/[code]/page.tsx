import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { findPlanByCode } from "@/lib/catalog/plans";
import { listMetricOptions } from "@/lib/console/catalog-directory";
import { planFormDefaults } from "@/lib/console/forms/plan-form";
import { db } from "@/lib/db/prisma";
import { formatCount, formatDateTime, formatMoney } from "@/lib/format";
import { ChargeSummary } from "@/components/console/charge-summary";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { PlanForm } from "@/components/console/plan-form";
import { updatePlanAction } from "../actions";
import { codeParamOrNotFound } from "@/lib/pages/page-params";

export const metadata: Metadata = { title: "Plan" };
export const dynamic = "force-dynamic";

export default async function PlanPage({ params }: { params: Promise<{ code: string }> }) {
  const { code } = await params;
  codeParamOrNotFound(code);
  await requireStaffPage(`/console/plans/${encodeURIComponent(code)}`);
  const plan = await findPlanByCode(db(), code);
  if (!plan) notFound();
  const [metrics, subscriptions] = await Promise.all([listMetricOptions(db()), db().subscription.count({ where: { planId: plan.id } })]);
  const defaults = planFormDefaults(plan);
  return (
    <div className="space-y-8">
      <PageHeader title={plan.name} back={{ href: "/console/plans", label: "Plans" }}
        description={<>
          Code <code>{plan.code}</code> · {formatMoney(plan.amountCents, plan.currency)} {plan.interval}, billed {plan.payInAdvance ? "in advance" : "in arrears"} ·{" "}
          {plan.trialPeriodDays && !plan.trialPeriodDays.isZero() ? `${plan.trialPeriodDays.toString()}-day trial · ` : ""}
          {plan.billChargesMonthly ? "usage billed monthly · " : ""}
          {formatCount(subscriptions, "subscription")} · created {formatDateTime(plan.createdAt)}
        </>} />
      {plan.description ? <p className="text-sm text-slate-700">{plan.description}</p> : null}
      <PageSection title="Charges">
        {plan.charges.length === 0 ? <p className="text-sm text-slate-500">No usage charges.</p> : null}
        <div className="space-y-3">
          {plan.charges.map((charge) => <ChargeSummary key={charge.id} charge={charge} currency={plan.currency} />)}
        </div>
      </PageSection>
      <PageSection title="Usage thresholds" description="Progressive billing: when a subscription's usage in its period reaches a threshold (before tax), the usage billed so far is invoiced at once, and the period-end invoice deducts it. Set through the API (plan usage_thresholds).">
        <SimpleDataTable label="Thresholds of the plan"
          columns={[{ key: "amount", header: "Usage reaches", align: "right" }, { key: "name", header: "Name" }, { key: "recurring", header: "Repeats" }]}
          rows={plan.usageThresholds.map((t) => ({
            amount: formatMoney(t.amountCents, plan.currency),
            name: t.thresholdDisplayName ?? "—",
            recurring: t.recurring ? `every ${formatMoney(t.amountCents, plan.currency)} above the last fixed threshold` : "once per period",
          }))}
          empty="No usage thresholds: usage is billed at period end only." />
      </PageSection>
      <PageSection title="Edit plan">
        <Panel>
          <PlanForm action={updatePlanAction.bind(null, plan.code)} defaults={defaults.values} initialCharges={defaults.charges}
            metrics={metrics} submitLabel="Save plan" locked={subscriptions > 0} />
        </Panel>
      </PageSection>
    </div>
  );
}

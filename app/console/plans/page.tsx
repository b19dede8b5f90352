import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { listMetricOptions, listPlanRows, PLAN_SORTS } from "@/lib/console/catalog-directory";
import { parseTableQuery, tableState, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { PlansTable } from "@/components/console/catalog-tables";
import { ListPage } from "@/components/console/page-header";
import { PlanForm } from "@/components/console/plan-form";
import { createPlanAction } from "./actions";

export const metadata: Metadata = { title: "Plans" };
export const dynamic = "force-dynamic";

export default async function PlansPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireStaffPage("/console/plans");
  const query = parseTableQuery(await searchParams, "p_", { sortable: PLAN_SORTS, defaultSort: "name" });
  const [plans, metrics] = await Promise.all([listPlanRows(db(), query), listMetricOptions(db())]);
  return (
    <ListPage title="Plans" description="Price plans: a base fee per interval and usage charges priced by metric."
      table={<PlansTable rows={plans.rows} state={tableState(query, plans)} />}
      create={{ title: "New plan", form: <PlanForm action={createPlanAction} metrics={metrics} submitLabel="Create plan" /> }} />
  );
}

import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { listMetricRows, METRIC_SORTS } from "@/lib/console/catalog-directory";
import { parseTableQuery, tableState, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { MetricsTable } from "@/components/console/catalog-tables";
import { MetricForm } from "@/components/console/metric-form";
import { ListPage } from "@/components/console/page-header";
import { createMetricAction } from "./actions";

export const metadata: Metadata = { title: "Metrics" };
export const dynamic = "force-dynamic";

export default async function MetricsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireStaffPage("/console/metrics");
  const query = parseTableQuery(await searchParams, "m_", { sortable: METRIC_SORTS, defaultSort: "name" });
  const metrics = await listMetricRows(db(), query);
  return (
    <ListPage title="Billable metrics" description="What usage is measured and how it is aggregated over a billing period."
      table={<MetricsTable rows={metrics.rows} state={tableState(query, metrics)} />}
      create={{ title: "New metric", form: <MetricForm action={createMetricAction} submitLabel="Create metric" /> }} />
  );
}

"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { noFields, staffAction } from "@/lib/auth/staff-action";
import { createMetric, deleteMetric, updateMetric } from "@/lib/catalog/billable-metrics";
import { db } from "@/lib/db/prisma";
import { metricForm } from "@/lib/console/forms/metric-form";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";

// Console edits pass serviceId null: the console may change any catalog item (see lib/catalog/ownership.ts).

const metricCode = z.tuple([z.string().min(1).max(255)]);

export const createMetricAction = staffAction({ role: "finance" }, metricForm, async (form) => {
  const metric = await createMetric(db(), null, form);
  refreshConsole();
  return { message: `Metric ${metric.code} created.` };
});

export const updateMetricAction = staffAction({ role: "finance", args: metricCode }, metricForm, async (form, { args: [code] }) => {
  const metric = await updateMetric(db(), null, code, form);
  refreshConsole();
  if (metric.code !== code) redirect(`/console/metrics/${encodeURIComponent(metric.code)}`);
  return { message: "Metric saved." };
});

export const deleteMetricAction = staffAction({ role: "finance", args: metricCode }, noFields, async (_form, { args: [code] }) => {
  await deleteMetric(db(), null, code);
  refreshConsole();
  redirect("/console/metrics");
});

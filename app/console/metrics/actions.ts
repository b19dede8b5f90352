"use server";

import { redirect } from "next/navigation";
import { createMetric, deleteMetric, updateMetric } from "@/lib/catalog/billable-metrics";
import { db } from "@/lib/db/prisma";
import type { FormState } from "@/lib/console/forms/form-state";
import { metricForm } from "@/lib/console/forms/metric-form";
import { refreshConsole, runStaffForm } from "@/lib/console/forms/staff-form-action";

// Console edits pass serviceId null: the console may change any catalog item (see lib/catalog/ownership.ts).

export async function createMetricAction(_state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ values }) => {
    const metric = await createMetric(db(), null, metricForm.parse(values));
    refreshConsole();
    return { message: `Metric ${metric.code} created.` };
  });
}

export async function updateMetricAction(code: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ values }) => {
    const metric = await updateMetric(db(), null, code, metricForm.parse(values));
    refreshConsole();
    if (metric.code !== code) redirect(`/console/metrics/${encodeURIComponent(metric.code)}`);
    return { message: "Metric saved." };
  });
}

export async function deleteMetricAction(code: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async () => {
    await deleteMetric(db(), null, code);
    refreshConsole();
    redirect("/console/metrics");
  });
}

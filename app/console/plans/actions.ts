"use server";

import { redirect } from "next/navigation";
import { createPlan, updatePlan } from "@/lib/catalog/plans";
import { db } from "@/lib/db/prisma";
import type { FormState } from "@/lib/console/forms/form-state";
import { planForm, planFormDefaults, type SavedPlan } from "@/lib/console/forms/plan-form";
import { refreshConsole, runStaffForm } from "@/lib/console/forms/staff-form-action";

// Console edits pass serviceId null: the console may change any catalog item (see lib/catalog/ownership.ts).

export async function createPlanAction(_state: FormState<SavedPlan>, formData: FormData): Promise<FormState<SavedPlan>> {
  return runStaffForm(formData, async ({ values }) => {
    const plan = await createPlan(db(), null, planForm.parse(values));
    refreshConsole();
    redirect(`/console/plans/${encodeURIComponent(plan.code)}`);
  });
}

export async function updatePlanAction(code: string, _state: FormState<SavedPlan>, formData: FormData): Promise<FormState<SavedPlan>> {
  return runStaffForm(formData, async ({ values }) => {
    const plan = await updatePlan(db(), null, code, planForm.parse(values));
    refreshConsole();
    if (plan.code !== code) redirect(`/console/plans/${encodeURIComponent(plan.code)}`);
    return { message: "Plan saved.", result: { charges: planFormDefaults(plan).charges } };
  });
}

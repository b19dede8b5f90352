"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { staffAction } from "@/lib/auth/staff-action";
import { createPlan, updatePlan } from "@/lib/catalog/plans";
import { db } from "@/lib/db/prisma";
import { planForm, planFormDefaults, type SavedPlan } from "@/lib/console/forms/plan-form";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";

// Console edits pass serviceId null: the console may change any catalog item (see lib/catalog/ownership.ts).

export const createPlanAction = staffAction<typeof planForm, SavedPlan>({ role: "finance" }, planForm, async (form) => {
  const plan = await createPlan(db(), null, form);
  refreshConsole();
  redirect(`/console/plans/${encodeURIComponent(plan.code)}`);
});

export const updatePlanAction = staffAction({ role: "finance", args: z.tuple([z.string().min(1).max(255)]) }, planForm, async (form, { args: [code] }) => {
  const plan = await updatePlan(db(), null, code, form);
  refreshConsole();
  if (plan.code !== code) redirect(`/console/plans/${encodeURIComponent(plan.code)}`);
  return { message: "Plan saved.", result: { charges: planFormDefaults(plan).charges } as SavedPlan };
});

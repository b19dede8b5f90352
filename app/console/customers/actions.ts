"use server";

import { staffActor } from "@/lib/audit/audit-log";
import { updateCustomerDetails } from "@/lib/customers/customer-details";
import { mergeCustomers } from "@/lib/customers/merge-customers";
import { db } from "@/lib/db/prisma";
import { formatCount } from "@/lib/format";
import { customerForm, mergeForm } from "@/lib/console/forms/customer-form";
import type { FormState } from "@/lib/console/forms/form-state";
import { uuid } from "@/lib/console/forms/form-schemas";
import { refreshConsole, runStaffForm } from "@/lib/console/forms/staff-form-action";

export async function updateCustomerAction(customerId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    const fields = customerForm.parse(values);
    await updateCustomerDetails(db(), uuid.parse(customerId), fields, staffActor(staff.id));
    refreshConsole();
    return { message: "Customer saved." };
  });
}

export async function mergeCustomerAction(targetId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    const { source_customer_id } = mergeForm.parse(values);
    const merged = await mergeCustomers(db(), { targetId: uuid.parse(targetId), sourceId: source_customer_id, actor: staffActor(staff.id) });
    refreshConsole();
    const { accountLinks, subscriptions, invoices } = merged.moved;
    const moved = [formatCount(accountLinks, "account link"), formatCount(subscriptions, "subscription"), formatCount(invoices, "invoice")];
    return { message: `${merged.source.legalName} merged into this customer: ${moved.join(", ")} moved.` };
  });
}

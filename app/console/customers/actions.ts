"use server";

import { z } from "zod";
import { staffAction } from "@/lib/auth/staff-action";
import { staffActor } from "@/lib/audit/audit-log";
import { updateCustomerDetails } from "@/lib/customers/customer-details";
import { mergeCustomers } from "@/lib/customers/merge-customers";
import { db } from "@/lib/db/prisma";
import { formatCount } from "@/lib/format";
import { customerForm, mergeForm } from "@/lib/console/forms/customer-form";
import { uuid } from "@/lib/console/forms/form-schemas";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";

const customerId = z.tuple([uuid]);

export const updateCustomerAction = staffAction({ role: "finance", args: customerId }, customerForm, async (fields, { staff, args: [id] }) => {
  await updateCustomerDetails(db(), id, fields, staffActor(staff.id));
  refreshConsole();
  return { message: "Customer saved." };
});

export const mergeCustomerAction = staffAction({ role: "finance", args: customerId }, mergeForm, async ({ source_customer_id }, { staff, args: [targetId] }) => {
  const merged = await mergeCustomers(db(), { targetId, sourceId: source_customer_id, actor: staffActor(staff.id) });
  refreshConsole();
  const { accountLinks, subscriptions, invoices } = merged.moved;
  const moved = [formatCount(accountLinks, "account link"), formatCount(subscriptions, "subscription"), formatCount(invoices, "invoice")];
  return { message: `${merged.source.legalName} merged into this customer: ${moved.join(", ")} moved.` };
});

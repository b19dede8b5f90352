"use server";

import { z } from "zod";
import { noFields, staffAction } from "@/lib/auth/staff-action";
import { staffActor } from "@/lib/audit/audit-log";
import { updateCustomerDetails } from "@/lib/customers/customer-details";
import { issueLinkToken } from "@/lib/customers/link-tokens";
import { mergeCustomers } from "@/lib/customers/merge-customers";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatCount, formatDateTime } from "@/lib/format";
import type { RevealedSecret } from "@/lib/console/forms/service-forms";
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

/** Consent for another app to link its account to this customer (see lib/customers/link-tokens.ts). */
export const issueLinkTokenAction = staffAction<typeof noFields, RevealedSecret, typeof customerId>(
  { role: "finance", args: customerId }, noFields, async (_form, { staff, args: [id] }) => {
    const customer = await db().customer.findFirst({ where: { id, deletedAt: null } });
    if (!customer) throw new DomainError("not_found", "customer_not_found", undefined, "This customer no longer exists.");
    const issued = await issueLinkToken(db(), customer.id, { type: "staff", id: staff.id });
    return {
      message: "Link token issued.",
      result: { secret: issued.token, label: `Link token for ${customer.legalName} (billing_customer_id ${customer.id}), valid until ${formatDateTime(issued.expiresAt)}` },
    };
  },
);

"use server";

import type { FormState } from "@/lib/console/forms/form-state";
import { uuid } from "@/lib/console/forms/form-schemas";
import { allocationsOf, offlinePaymentForm, reversalForm } from "@/lib/console/payment-receipts";
import { refreshConsole, runStaffForm } from "@/lib/console/forms/staff-form-action";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import { applyCustomerCredit, recordOfflinePayment, reverseOfflinePayment } from "@/lib/offline-payments/offline-payments";
import type { StaffSession } from "@/lib/auth/staff-session";

/** Money received and its reversal are finance work: admins and finance staff (viewers are refused by runStaffForm). */
function requireFinance(staff: StaffSession) {
  if (staff.role !== "admin" && staff.role !== "finance") throw new DomainError("forbidden", "finance_only", undefined, "Only finance staff can record payments.");
}

export async function recordOfflinePaymentAction(customerId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    requireFinance(staff);
    const form = offlinePaymentForm.parse(values);
    const allocations = allocationsOf(values);
    const { receipt, settled } = await recordOfflinePayment(db(), {
      customerId: uuid.parse(customerId), method: form.method, reference: form.reference, amountCents: form.amount, receivedOn: form.received_on,
      note: form.note, allocations,
    }, { staffId: staff.id });
    refreshConsole();
    const paid = settled.filter((s) => s.invoicePaid).length;
    const credit = receipt.unappliedCents > BigInt(0) ? ` ${formatMoney(receipt.unappliedCents, receipt.currency)} added to the customer's credit balance.` : "";
    return { message: `${formatMoney(receipt.amountCents, receipt.currency)} recorded: applied to ${allocations.length} invoice(s), ${paid} now paid.${credit}` };
  });
}

export async function applyCustomerCreditAction(customerId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    requireFinance(staff);
    const { settled } = await applyCustomerCredit(db(), uuid.parse(customerId), allocationsOf(values), { staffId: staff.id });
    refreshConsole();
    return { message: `Credit applied: ${settled.filter((s) => s.invoicePaid).length} invoice(s) now paid.` };
  });
}

export async function reverseOfflinePaymentAction(receiptId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    requireFinance(staff);
    const { reason } = reversalForm.parse(values);
    const { reopened } = await reverseOfflinePayment(db(), uuid.parse(receiptId), reason, { staffId: staff.id });
    refreshConsole();
    return { message: `Payment reversed. ${reopened.length} invoice(s) are open again and chased by dunning.` };
  });
}

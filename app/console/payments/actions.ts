"use server";

import { z } from "zod";
import { staffAction } from "@/lib/auth/staff-action";
import { uuid } from "@/lib/console/forms/form-schemas";
import { allocationsOf, offlinePaymentForm, reversalForm } from "@/lib/console/payment-receipts";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { db } from "@/lib/db/prisma";
import { formatMoney } from "@/lib/format";
import { applyCustomerCredit, recordOfflinePayment, reverseOfflinePayment } from "@/lib/offline-payments/offline-payments";

// Money received and its reversal are finance work (finance and admin roles).
const oneId = z.tuple([uuid]);

export const recordOfflinePaymentAction = staffAction({ role: "finance", args: oneId }, offlinePaymentForm, async (form, { staff, values, args: [customerId] }) => {
  const allocations = allocationsOf(values);
  const { receipt, settled } = await recordOfflinePayment(db(), {
    customerId, method: form.method, reference: form.reference, amountCents: form.amount, receivedOn: form.received_on, note: form.note, allocations,
  }, { staffId: staff.id });
  refreshConsole();
  const paid = settled.filter((s) => s.invoicePaid).length;
  const credit = receipt.unappliedCents > BigInt(0) ? ` ${formatMoney(receipt.unappliedCents, receipt.currency)} added to the customer's credit balance.` : "";
  return { message: `${formatMoney(receipt.amountCents, receipt.currency)} recorded: applied to ${allocations.length} invoice(s), ${paid} now paid.${credit}` };
});

export const applyCustomerCreditAction = staffAction({ role: "finance", args: oneId }, z.object({}), async (_form, { staff, values, args: [customerId] }) => {
  const { settled } = await applyCustomerCredit(db(), customerId, allocationsOf(values), { staffId: staff.id });
  refreshConsole();
  return { message: `Credit applied: ${settled.filter((s) => s.invoicePaid).length} invoice(s) now paid.` };
});

export const reverseOfflinePaymentAction = staffAction({ role: "finance", args: oneId }, reversalForm, async ({ reason }, { staff, args: [receiptId] }) => {
  const { reopened } = await reverseOfflinePayment(db(), receiptId, reason, { staffId: staff.id });
  refreshConsole();
  return { message: `Payment reversed. ${reopened.length} invoice(s) are open again and chased by dunning.` };
});

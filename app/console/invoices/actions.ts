"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { noFields, staffAction, staffCommand, type ActionResult } from "@/lib/auth/staff-action";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { issueCreditNote, CREDIT_NOTE_REASONS } from "@/lib/invoicing/credit-notes";
import { refreshAndFinalizeInvoice, refreshDraftInvoice, voidInvoice } from "@/lib/invoicing/invoice-actions";
import { requestBillingRun } from "@/lib/jobs/billing-jobs";
import { chargeInvoiceForStaff } from "@/lib/console/invoice-commands";
import { formatMoney } from "@/lib/format";
import { releaseQuarantine } from "@/lib/invoicing/billing-quarantine";
import { refundCreditNoteToCard } from "@/lib/payments/credit-note-refunds";

export type { ActionResult };

const invoiceId = z.tuple([z.uuid()]);

async function audited(staffId: string, action: string, invoiceId: string) {
  await db().auditLog.create({ data: { actorType: "staff", actorId: staffId, action, entityType: "Invoice", entityId: invoiceId } });
}

export const finalizeInvoiceAction = staffCommand({ role: "finance" }, invoiceId, async ([id], { staff }) => {
  const invoice = await refreshAndFinalizeInvoice(db(), id, { actor: { type: "staff", id: staff.id } });
  await audited(staff.id, "invoice.finalized_by_staff", id);
  revalidatePath(`/console/invoices/${id}`);
  return { ok: true, message: `Finalized as ${invoice.number}.` };
});

export const refreshInvoiceAction = staffCommand({ role: "finance" }, invoiceId, async ([id]) => {
  await refreshDraftInvoice(db(), id);
  revalidatePath(`/console/invoices/${id}`);
  return { ok: true, message: "Draft recomputed with the latest usage." };
});

export const voidInvoiceAction = staffCommand({ role: "finance" }, invoiceId, async ([id], { staff }) => {
  await voidInvoice(db(), id);
  await audited(staff.id, "invoice.voided_by_staff", id);
  revalidatePath(`/console/invoices/${id}`);
  return { ok: true, message: "Invoice voided." };
});

const creditSchema = z.object({
  invoiceId: z.string().uuid(),
  lineId: z.string().uuid(),
  amount: z.string().trim().regex(/^\d+(\.\d{1,2})?$/, "Enter an amount in dollars with at most two decimals, e.g. 12.50"),
  reason: z.enum(CREDIT_NOTE_REASONS, { message: "Choose a reason" }),
  kind: z.enum(["credit", "refund"], { message: "Choose credit or refund" }),
  description: z.string().trim().max(500).optional(),
});

/** Amount typed in dollars to integer cents, from its digits (never through a float). */
function dollarsToCents(text: string): bigint {
  const [whole, fraction = ""] = text.split(".");
  return BigInt(whole) * BigInt(100) + BigInt(fraction.padEnd(2, "0"));
}

export const creditInvoiceAction = staffCommand({ role: "finance" }, z.tuple([z.unknown(), z.instanceof(FormData)]), async ([, form], { staff }) => {
  const parsed = creditSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    return { ok: false, message: "Check the highlighted fields.", fieldErrors: Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])) };
  }
  const cents = dollarsToCents(parsed.data.amount);
  if (cents <= BigInt(0)) return { ok: false, message: "Check the highlighted fields.", fieldErrors: { amount: "The amount must be above zero" } };
  try {
    const note = await db().$transaction((tx) =>
      issueCreditNote(tx, {
        invoiceId: parsed.data.invoiceId,
        reason: parsed.data.reason,
        description: parsed.data.description || null,
        kind: parsed.data.kind,
        items: [{ invoiceLineId: parsed.data.lineId, amountCents: cents }],
      }),
    );
    await audited(staff.id, "credit_note.issued_by_staff", parsed.data.invoiceId);
    const refund = note.kind === "refund" ? await refundCreditNoteToCard(db(), note.id) : null;
    revalidatePath(`/console/invoices/${parsed.data.invoiceId}`);
    if (refund?.status === "failed") return { ok: false, message: `Credit note ${note.number} issued, but the card refund failed: ${refund.message}. Pay it out another way or try again from Stripe.` };
    const refunded = refund?.status === "refunded" ? ` ${formatMoney(refund.refundedCents)} refunded to the card.` : refund?.status === "pending" ? ` ${formatMoney(refund.refundedCents)} is being refunded to the card (Stripe has not finished it).` : "";
    return { ok: true, message: `Credit note ${note.number} issued.${refunded}` };
  } catch (error) {
    if (error instanceof DomainError && error.details) {
      const codes = Object.values(error.details).flat().join(", ");
      return { ok: false, message: `Not credited: ${codes.replace(/_/g, " ")}.`, fieldErrors: { amount: codes.replace(/_/g, " ") } };
    }
    throw error;
  }
});

export const chargeInvoiceAction = staffCommand({ role: "finance" }, invoiceId, async ([id], { staff }) => {
  const result = await chargeInvoiceForStaff(db(), id);
  if (result.attempted) await audited(staff.id, "invoice.charged_by_staff", id);
  revalidatePath(`/console/invoices/${id}`);
  return result;
});

export const runBillingNowAction = staffCommand({ role: "finance" }, z.tuple([]), async (_args, { staff }): Promise<ActionResult & { runId?: string }> => {
  const url = process.env.DATABASE_URL;
  if (!url) return { ok: false, message: "No database configured." };
  const runId = await requestBillingRun(db(), url, staff.id);
  revalidatePath("/console/invoices");
  return { ok: true, message: "Billing run queued.", runId };
});

/** After the data is fixed: the next billing run bills the quarantined group again. */
export const releaseQuarantineAction = staffAction({ role: "finance", args: z.tuple([z.uuid()]) }, noFields, async (_form, { staff, args: [id] }) => {
  await releaseQuarantine(db(), id, staff.id);
  revalidatePath("/console/invoices");
  return { message: "Released: the next billing run bills this group again." };
});

import { z } from "zod";
import { CREDIT_NOTE_REASONS } from "@/lib/invoicing/credit-notes";
import { amountCents, optionalText } from "./common";

export const creditNoteBody = z
  .strictObject({
    invoice_id: z.string().uuid(),
    reason: z.enum(CREDIT_NOTE_REASONS),
    description: optionalText(2000),
    credit_amount_cents: amountCents.optional(),
    refund_amount_cents: amountCents.optional(),
    items: z.array(z.strictObject({ fee_id: z.string().uuid(), amount_cents: amountCents })).min(1, "value_is_mandatory").max(200),
  })
  .superRefine((body, ctx) => {
    const credit = body.credit_amount_cents ?? BigInt(0);
    const refund = body.refund_amount_cents ?? BigInt(0);
    // One credit note is either a refund or a credit balance; send two notes to split an amount.
    if (credit > BigInt(0) && refund > BigInt(0)) ctx.addIssue({ code: "custom", path: ["refund_amount_cents"], message: "split_into_two_credit_notes" });
  });

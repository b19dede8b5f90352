import { INPUT_BOUNDS } from "@/lib/api/schemas/common";
import type { Db } from "@/lib/db/prisma";
import { localDate } from "@/lib/billing/calendar-date";
import { decimal } from "@/lib/billing/decimal";
import { scaleCents } from "@/lib/billing/money";
import { taxesForInvoice } from "@/lib/billing/tax/invoice-taxes";
import { getAddOn } from "@/lib/catalog/add-ons";
import { getServiceCustomer } from "@/lib/customers/service-customers";
import { DomainError } from "@/lib/errors";
import type { Invoice } from "@/lib/generated/prisma/client";
import { invoiceIssueTypes, recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";
import { companyProfile } from "./company-profile";
import { composeInvoice } from "./compose-invoice";
import { writeDraftInvoice, type ComposedLine } from "./draft-invoices";
import { issueInvoice, type IssueOptions } from "./issue-invoice";

/**
 * One-off invoices (Lago's `POST /invoices`): add-ons billed to a customer now, outside any subscription. Composed by
 * the same composition as every invoice (lines → taxes → totals; no coupons, as in Lago), then issued by `issue()`:
 * numbered, finalized, e-mailed, collected like any other invoice, with the invoice webhooks plus Lago's
 * `invoice.one_off_created`. A service in shadow mode gets a shadow draft (never issued, never collected).
 */
export interface OneOffFeeInput {
  addOnCode: string;
  /** Per unit, in cents; the add-on's amount when absent. */
  unitAmountCents?: bigint | null;
  /** Decimal text; 1 when absent. */
  units?: string | null;
  description?: string | null;
  invoiceDisplayName?: string | null;
  fromDatetime?: Date | null;
  toDatetime?: Date | null;
}

export interface OneOffInvoiceInput {
  externalCustomerId: string;
  currency?: string | null;
  fees: OneOffFeeInput[];
}

export async function createOneOffInvoice(
  client: Db,
  service: { id: string; mode: "shadow" | "live" },
  input: OneOffInvoiceInput,
  options: IssueOptions = {},
  now = new Date(),
): Promise<Invoice> {
  if (input.fees.length === 0) throw new DomainError("invalid", "validation_errors", { fees: ["value_is_mandatory"] });
  return client.$transaction(async (tx) => {
    const { customer } = await getServiceCustomer(tx, service.id, input.externalCustomerId);
    const currency = input.currency ?? customer.currency;
    if (currency !== customer.currency) {
      throw new DomainError("invalid", "validation_errors", { currency: ["currencies_does_not_match"] }, `The customer is billed in ${customer.currency}`);
    }
    const lines: ComposedLine[] = [];
    for (const [index, fee] of input.fees.entries()) {
      const addOn = await getAddOn(tx, service.id, fee.addOnCode).catch((error) => {
        if (error instanceof DomainError && error.kind === "not_found") throw new DomainError("not_found", "add_on_not_found", { [`fees.${index}.add_on_code`]: ["add_on_not_found"] }, `Unknown add-on ${fee.addOnCode}`);
        throw error;
      });
      if (fee.unitAmountCents == null && addOn.currency !== currency) {
        throw new DomainError("invalid", "validation_errors", { [`fees.${index}.add_on_code`]: ["currencies_does_not_match"] }, `Add-on ${addOn.code} is priced in ${addOn.currency}`);
      }
      const units = fee.units ?? "1";
      const unitAmountCents = fee.unitAmountCents ?? addOn.amountCents;
      const from = fee.fromDatetime ?? now;
      const to = fee.toDatetime ?? now;
      if (to < from) throw new DomainError("invalid", "validation_errors", { [`fees.${index}.to_datetime`]: ["invalid_date"] }, "to_datetime is before from_datetime");
      lines.push({
        subscriptionId: null,
        chargeId: null,
        kind: "one_off" as const,
        description: fee.invoiceDisplayName ?? addOn.invoiceDisplayName ?? addOn.name,
        quantity: units,
        includedQuantity: "0",
        unitAmount: decimal(unitAmountCents.toString()).div(100).toFixed(),
        // Half up to the cent, as every amount the ledger rounds.
        amountCents: scaleCents(unitAmountCents, decimal(units)),
        details: { addOnCode: addOn.code, unitAmountCents: unitAmountCents.toString(), description: fee.description ?? addOn.description ?? null },
        periodStart: from,
        periodEnd: to,
      });
    }
    const shadow = service.mode === "shadow";
    const profile = await companyProfile(tx);
    const issuingDate = localDate(now, customer.timezone);
    const composition = composeInvoice({ lines, taxes: (taxableCents) => taxesForInvoice({ shadow }, customer, profile, taxableCents, issuingDate) });
    // units × unit price can exceed what an amount may be (the ledger's bound, as for every amount the API takes).
    const tooLarge = lines.findIndex((line) => line.amountCents > INPUT_BOUNDS.maxAmountCents);
    if (tooLarge >= 0 || composition.totalCents > INPUT_BOUNDS.maxAmountCents) {
      const field = tooLarge >= 0 ? `fees.${tooLarge}.units` : "fees";
      throw new DomainError("invalid", "validation_errors", { [field]: ["value_is_out_of_range"] }, "The invoice amount is too large");
    }
    const invoice = await writeDraftInvoice(tx, {
      customerId: customer.id,
      serviceId: service.id,
      invoiceType: "one_off",
      shadow,
      periodStart: new Date(Math.min(...lines.map((l) => l.periodStart.getTime()))),
      periodEnd: new Date(Math.max(...lines.map((l) => l.periodEnd.getTime()))),
      issuingDate,
      currency,
    }, composition);
    if (shadow) return invoice;
    const issued = await issueInvoice(tx, invoice.id, now, { ...options, webhookEvents: false });
    await recordInvoiceEvents(tx, [issued], (i) => [...invoiceIssueTypes(i.status, i.paymentStatus), "invoice.one_off_created"]);
    return issued;
  });
}

import { isoInstant } from "@/lib/billing/calendar-date";
import { INVOICE_ISSUED_NOTICE_COLUMNS } from "@/lib/collections/invoice-notices";
import { COPY_NULL, CopyRows, copyInstant, copyJson, copyText } from "@/lib/db/copy-text";
import { timeOrderedId } from "@/lib/db/time-ordered-id";
import type { TransactionConnection } from "@/lib/db/transaction-connection";
import type { BilledTo } from "./billed-to";
import { billingKey } from "./billing-group";
import type { ComposedInvoice } from "./billing-run";
import { sellerOf, type CompanyProfileValues } from "./company-profile";
import { storedAmounts } from "./draft-invoices";
import type { IssuedFields } from "./issue-invoice";

/**
 * What the period close writes of a chunk's invoices, as rows for PostgreSQL's COPY (lib/db/copy-text.ts): their
 * details (lines, taxes, usage windows, invoice-issued e-mail rows), written before the chunk queues for the invoice
 * number series, and their own rows, encoded before it too and written under it with their numbers.
 */

/**
 * The foreign keys to the invoice of what the close writes before it (its details and its invoice-issued e-mail rows,
 * see writeInvoiceDetails): deferrable, deferred to the close's commit when it writes with its key checks on (see
 * lib/db/held-reference-writes.ts).
 */
const DETAIL_INVOICE_KEYS = `"InvoiceLine_invoiceId_fkey", "InvoiceTax_invoiceId_fkey", "InvoiceUsageWindow_invoiceId_fkey", "InvoiceNotice_invoiceId_fkey"`;

/**
 * What the close keeps of a composed invoice once its lines and taxes are encoded (InvoiceDetailRows): what its own
 * row, its issue and its coupons need. A chunk's lines then do not stay in memory across its statements.
 */
export type ChunkInvoice = Omit<ComposedInvoice, "composition"> & { amounts: ReturnType<typeof storedAmounts> };

/**
 * The COPY rows of a chunk's invoice details, lines and taxes, encoded as each invoice is composed (encodeDetails).
 * Usage windows are added once the chunk knows which invoices stay drafts (encodeDraftWindows), and invoice-issued
 * e-mail rows once it knows which it issues.
 */
export class InvoiceDetailRows {
  readonly lines = new CopyRows();
  readonly taxes = new CopyRows();
  readonly windows = new CopyRows();
  /** Invoice-issued e-mail rows (encodeInvoiceIssuedNotices). */
  readonly notices = new CopyRows();

  encodeDetails(invoice: ComposedInvoice): ChunkInvoice {
    const { composition, ...kept } = invoice;
    let position = 0;
    for (const l of composition.lines) {
      this.lines.add(`${timeOrderedId()}\t${invoice.id}\t${l.subscriptionId ?? COPY_NULL}\t${l.chargeId ?? COPY_NULL}\t${l.kind}\t${copyText(l.description)}\t${copyText(l.quantity)}\t${copyText(l.includedQuantity)}\t${copyText(l.unitAmount)}\t${l.amountCents}\t${copyJson(l.details)}\t${copyInstant(l.periodStart)}\t${copyInstant(l.periodEnd)}\t${position++}\n`);
    }
    for (const t of composition.taxes) {
      this.taxes.add(`${timeOrderedId()}\t${invoice.id}\t${copyText(t.code)}\t${copyText(t.name)}\t${copyText(t.ratePercent)}\t${t.taxableAmountCents}\t${t.amountCents}\t${copyText(t.registrationNumber)}\n`);
    }
    return { ...kept, amounts: storedAmounts(composition) };
  }

  /**
   * Usage windows are stored only for the invoices that stay drafts: a refresh re-rates a draft over them (refreshDraft).
   * An invoice the chunk issues is never recomputed, and its windows are in its sources and on its usage lines already.
   */
  encodeDraftWindows(drafts: ChunkInvoice[]) {
    for (const i of drafts) {
      for (const w of i.usageWindows) {
        this.windows.add(`${i.id}\t${w.subscriptionId}\t${copyInstant(w.start)}\t${copyInstant(w.end)}\t${copyInstant(w.periodStart)}\t${copyInstant(w.periodEnd)}\n`);
      }
    }
  }
}

/**
 * Writes the details of a chunk's invoices, ahead of the invoices: lines, taxes, usage windows and e-mail rows, each
 * table with one COPY on the transaction's own connection (COPY costs PostgreSQL a fraction of an INSERT … SELECT over
 * a JSON document per row: no JSON parse, rows inserted in batches). Written before the chunk queues for the invoice
 * number series, so chunks write them at the same time; their keys to the invoices, when checked, are checked at
 * commit, once the invoices are in.
 */
export async function writeInvoiceDetails(connection: TransactionConnection, details: InvoiceDetailRows) {
  if (details.lines.isEmpty && details.taxes.isEmpty && details.windows.isEmpty && details.notices.isEmpty) return;
  await connection.query(`SET CONSTRAINTS ${DETAIL_INVOICE_KEYS} DEFERRED`);
  if (!details.lines.isEmpty) {
    await connection.copy(
      `COPY "InvoiceLine" (id, "invoiceId", "subscriptionId", "chargeId", kind, description, quantity, "includedQuantity", "unitAmount", "amountCents",
         details, "periodStart", "periodEnd", position) FROM STDIN`,
      details.lines.data,
    );
  }
  if (!details.taxes.isEmpty) await connection.copy(`COPY "InvoiceTax" (id, "invoiceId", code, name, rate, "taxableAmountCents", "amountCents", "registrationNumber") FROM STDIN`, details.taxes.data);
  if (!details.windows.isEmpty) await connection.copy(`COPY "InvoiceUsageWindow" ("invoiceId", "subscriptionId", start, "end", "periodStart", "periodEnd") FROM STDIN`, details.windows.data);
  if (!details.notices.isEmpty) await connection.copy(`COPY "InvoiceNotice" (${INVOICE_ISSUED_NOTICE_COLUMNS}) FROM STDIN`, details.notices.data);
}

/**
 * A chunk's invoice rows for COPY, encoded before the chunk queues for the invoice number series: issued ones with the
 * fields issueFields decided, their billed-to and seller snapshots; the others as drafts. Under the series' lock only
 * the numbers go in (write), with the issued invoices' audit entries, which name them.
 */
export class InvoiceRows {
  /** Each invoice's id, whether it is written issued, and its row after the number column. */
  private readonly rows: { id: string; issued: boolean; afterNumber: string }[] = [];

  constructor(invoices: ChunkInvoice[], issued: Map<string, Omit<IssuedFields, "number">>, billedTo: Map<string, BilledTo>, profile: CompanyProfileValues, writtenAt: string) {
    const seller = copyJson(sellerOf(profile));
    for (const i of invoices) {
      const fields = issued.get(i.id);
      const { amounts } = i;
      const issuedColumns = fields
        ? `${fields.status}\t${isoInstant(fields.finalizedAt)}\t${copyInstant(fields.paidAt)}\t${fields.paymentDueDate}\t${copyJson(billedTo.get(i.customer.id))}\t${seller}`
        : `draft\t${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}`;
      this.rows.push({
        id: i.id,
        issued: fields !== undefined,
        afterNumber: `${i.group.customerId}\t${i.group.serviceId}\t${i.group.shadow}\t${copyText(billingKey(i.group))}\t` +
          `${isoInstant(i.periodStart)}\t${isoInstant(i.periodEnd)}\t${i.issuingDate}\t${copyText(i.currency)}\t${amounts.subtotalCents}\t${amounts.couponsCents}\t` +
          `${amounts.progressiveBillingCreditCents}\t${amounts.taxesCents}\t${amounts.totalCents}\t${fields?.creditsAppliedCents ?? 0}\t${copyText(amounts.taxNote)}\t` +
          `${copyJson(i.sources)}\t${issuedColumns}\t${writtenAt}\n`,
      });
    }
  }

  /**
   * Writes the invoices with one COPY (and their audit entries with a second): each issued one with its number, and only
   * those.
   */
  async write(connection: TransactionConnection, numbers: Map<string, string>) {
    if (this.rows.length === 0) return;
    const invoiceRows = new CopyRows();
    const auditRows = new CopyRows();
    for (const { id, issued, afterNumber } of this.rows) {
      const number = numbers.get(id);
      if (issued !== (number !== undefined)) throw new Error(`Invoice ${id} is written ${issued ? "issued without a number" : "as a draft with a number"}`);
      invoiceRows.add(`${id}\t${copyText(number)}\t${afterNumber}`);
      if (number !== undefined) auditRows.add(`${timeOrderedId()}\tsystem\tinvoice.finalized\tInvoice\t${id}\t${copyJson({ number })}\n`);
    }
    await connection.copy(
      `COPY "Invoice" (id, number, "customerId", "serviceId", shadow, "billingKey", "periodStart", "periodEnd", "issuingDate", currency,
         "subtotalCents", "couponsCents", "progressiveBillingCreditCents", "taxesCents", "totalCents", "creditsAppliedCents", "taxNote", sources,
         status, "finalizedAt", "paidAt", "paymentDueDate", "billedTo", seller, "updatedAt") FROM STDIN`,
      invoiceRows.data,
    );
    if (!auditRows.isEmpty) await connection.copy(`COPY "AuditLog" (id, "actorType", action, "entityType", "entityId", data) FROM STDIN`, auditRows.data);
  }
}

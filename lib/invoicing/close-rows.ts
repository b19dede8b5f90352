import { INVOICE_ISSUED_NOTICE_COLUMNS } from "@/lib/collections/invoice-notices";
import { BINARY_COPY, BinaryCopyRows, BinaryFields } from "@/lib/db/copy-binary";
import type { TransactionConnection } from "@/lib/db/transaction-connection";
import type { BilledTo } from "./billed-to";
import { billingKey } from "./billing-group";
import type { ComposedInvoice } from "./billing-run";
import { sellerOf, type CompanyProfileValues } from "./company-profile";
import { storedAmounts } from "./draft-invoices";
import type { IssuedFields } from "./issue-invoice";

/**
 * What the period close writes of a chunk's invoices, as rows for PostgreSQL's binary COPY (lib/db/copy-binary.ts): their
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
  readonly lines = new BinaryCopyRows();
  readonly taxes = new BinaryCopyRows();
  readonly windows = new BinaryCopyRows();
  /** Invoice-issued e-mail rows (encodeInvoiceIssuedNotices). */
  readonly notices = new BinaryCopyRows();

  encodeDetails(invoice: ComposedInvoice): ChunkInvoice {
    const { composition, ...kept } = invoice;
    let position = 0;
    for (const l of composition.lines) {
      this.lines.row(14).newTimeOrderedId().uuid(invoice.id).uuid(l.subscriptionId).uuid(l.chargeId).text(l.kind).text(l.description)
        .numeric(l.quantity).numeric(l.includedQuantity).numeric(l.unitAmount).int8(l.amountCents).json(l.details)
        .timestamptz(l.periodStart).timestamptz(l.periodEnd).int4(position++);
    }
    for (const t of composition.taxes) {
      this.taxes.row(8).newTimeOrderedId().uuid(invoice.id).text(t.code).text(t.name).numeric(t.ratePercent).int8(t.taxableAmountCents)
        .int8(t.amountCents).text(t.registrationNumber);
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
        this.windows.row(6).uuid(i.id).uuid(w.subscriptionId).timestamptz(w.start).timestamptz(w.end).timestamptz(w.periodStart).timestamptz(w.periodEnd);
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
         details, "periodStart", "periodEnd", position) FROM STDIN ${BINARY_COPY}`,
      details.lines.data,
    );
  }
  if (!details.taxes.isEmpty) {
    await connection.copy(`COPY "InvoiceTax" (id, "invoiceId", code, name, rate, "taxableAmountCents", "amountCents", "registrationNumber") FROM STDIN ${BINARY_COPY}`, details.taxes.data);
  }
  if (!details.windows.isEmpty) {
    await connection.copy(`COPY "InvoiceUsageWindow" ("invoiceId", "subscriptionId", start, "end", "periodStart", "periodEnd") FROM STDIN ${BINARY_COPY}`, details.windows.data);
  }
  if (!details.notices.isEmpty) await connection.copy(`COPY "InvoiceNotice" (${INVOICE_ISSUED_NOTICE_COLUMNS}) FROM STDIN ${BINARY_COPY}`, details.notices.data);
}

/**
 * A chunk's invoice rows for COPY, encoded before the chunk queues for the invoice number series: issued ones with the
 * fields issueFields decided, their billed-to and seller snapshots; the others as drafts. Under the series' lock only
 * the numbers go in (write), with the issued invoices' audit entries, which name them.
 */
export class InvoiceRows {
  /** Each invoice's id, whether it is written issued, and where its fields after the number are in `afterNumber`. */
  private readonly rows: { id: string; issued: boolean; start: number; end: number }[] = [];
  private readonly afterNumber = new BinaryFields();

  /** `writtenAt`: the transaction's now() in microseconds since 1970-01-01 (transactionNow), for updatedAt. */
  constructor(invoices: ChunkInvoice[], issued: Map<string, Omit<IssuedFields, "number">>, billedTo: Map<string, BilledTo>, profile: CompanyProfileValues, writtenAt: number) {
    // The seller's JSON is made once for every invoice.
    const seller = JSON.stringify(sellerOf(profile));
    const fields = this.afterNumber;
    for (const i of invoices) {
      const issuedAs = issued.get(i.id);
      const { amounts } = i;
      const start = fields.offset;
      fields.uuid(i.group.customerId).uuid(i.group.serviceId).bool(i.group.shadow).text(billingKey(i.group)).timestamptz(i.periodStart).timestamptz(i.periodEnd)
        .date(i.issuingDate).text(i.currency).int8(amounts.subtotalCents).int8(amounts.couponsCents).int8(amounts.progressiveBillingCreditCents)
        .int8(amounts.taxesCents).int8(amounts.totalCents).int8(issuedAs?.creditsAppliedCents ?? 0).text(amounts.taxNote).json(i.sources);
      if (issuedAs) {
        fields.text(issuedAs.status).timestamptz(issuedAs.finalizedAt).timestamptz(issuedAs.paidAt).date(issuedAs.paymentDueDate)
          .json(billedTo.get(i.customer.id)).jsonText(seller);
      } else {
        fields.text("draft").null().null().null().null().null();
      }
      fields.timestamptzMicros(writtenAt);
      this.rows.push({ id: i.id, issued: issuedAs !== undefined, start, end: fields.offset });
    }
  }

  /**
   * Writes the invoices with one COPY (and their audit entries with a second): each issued one with its number, and only
   * those.
   */
  async write(connection: TransactionConnection, numbers: Map<string, string>) {
    if (this.rows.length === 0) return;
    const invoiceRows = new BinaryCopyRows();
    const auditRows = new BinaryCopyRows();
    for (const { id, issued, start, end } of this.rows) {
      const number = numbers.get(id);
      if (issued !== (number !== undefined)) throw new Error(`Invoice ${id} is written ${issued ? "issued without a number" : "as a draft with a number"}`);
      invoiceRows.row(25).uuid(id).text(number).fields(this.afterNumber.slice(start, end));
      if (number !== undefined) auditRows.row(6).newTimeOrderedId().text("system").text("invoice.finalized").text("Invoice").text(id).jsonb({ number });
    }
    await connection.copy(
      `COPY "Invoice" (id, number, "customerId", "serviceId", shadow, "billingKey", "periodStart", "periodEnd", "issuingDate", currency,
         "subtotalCents", "couponsCents", "progressiveBillingCreditCents", "taxesCents", "totalCents", "creditsAppliedCents", "taxNote", sources,
         status, "finalizedAt", "paidAt", "paymentDueDate", "billedTo", seller, "updatedAt") FROM STDIN ${BINARY_COPY}`,
      invoiceRows.data,
    );
    if (!auditRows.isEmpty) await connection.copy(`COPY "AuditLog" (id, "actorType", action, "entityType", "entityId", data) FROM STDIN ${BINARY_COPY}`, auditRows.data);
  }
}

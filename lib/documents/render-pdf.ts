/**
 * Renders a BillingDocument (invoice or credit note) as a PDF with pdfkit. Framework-free: no Next.js, no database, no
 * network, no font files — only pdfkit's built-in Helvetica family, whose WinAnsi encoding covers the accents of
 * Québec names (é, è, à, ç…). US Letter, Canadian English.
 *
 * Layout: seller and document details, bill-to and the amount due, the line table (its header row repeated on every page,
 * a row kept on one page whenever it fits on one), totals with every tax on its own line, notes, and a footer with
 * "Page X of Y". Shadow, draft and voided documents carry a diagonal watermark on every page.
 *
 * The output is deterministic: the PDF's creation date (and with it the file ID) is derived from the issue date.
 */
import PDFDocument from "pdfkit";
import type { BillingDocument, DocumentLine, DocumentParty } from "./billing-document";
import { documentInstant, formatDocumentDate, formatPeriod, toWinAnsi } from "./document-text";
import { formatMoney, formatPercent, formatQuantity, formatUnitAmount } from "./money-format";

export interface RenderPdfOptions {
  /** Deflate the page content streams (default true). Tests turn it off to read the text back. */
  compress?: boolean;
}

type Pdf = PDFKit.PDFDocument;
type TextOptions = PDFKit.Mixins.TextOptions;

/** US Letter, in points. */
const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN_X = 48;
const RIGHT = PAGE_WIDTH - MARGIN_X;
const CONTENT_WIDTH = RIGHT - MARGIN_X;
/** Where content starts on page 1, and on later pages (under the continuation header). */
const FIRST_PAGE_TOP = 44;
const CONTINUED_TOP = 76;
/** Body content never goes below PAGE_HEIGHT - BOTTOM_MARGIN; the footer lives underneath. */
const BOTTOM_MARGIN = 64;
const BODY_BOTTOM = PAGE_HEIGHT - BOTTOM_MARGIN;
const FOOTER_Y = PAGE_HEIGHT - 46;
/** The right-hand column of the header, the amount-due box and the totals. */
const SIDE_X = 300;
const SIDE_WIDTH = RIGHT - SIDE_X;
const LEFT_COLUMN_WIDTH = 236;

const COLOR = {
  ink: "#111827",
  text: "#374151",
  muted: "#6B7280",
  rule: "#D1D5DB",
  band: "#F3F4F6",
  accent: "#1F3A5F",
  shadow: "#B91C1C",
  draft: "#4B5563",
};

const FONT = { regular: "Helvetica", bold: "Helvetica-Bold", italic: "Helvetica-Oblique" };

interface TextStyle {
  font: string;
  size: number;
  color: string;
  lineGap?: number;
}

const STYLE = {
  title: { font: FONT.bold, size: 22, color: COLOR.accent },
  sellerName: { font: FONT.bold, size: 13, color: COLOR.ink, lineGap: 1 },
  body: { font: FONT.regular, size: 9, color: COLOR.text, lineGap: 1.5 },
  small: { font: FONT.regular, size: 8, color: COLOR.muted, lineGap: 1 },
  caption: { font: FONT.bold, size: 7.5, color: COLOR.muted },
  metaLabel: { font: FONT.regular, size: 8.5, color: COLOR.muted, lineGap: 1 },
  metaValue: { font: FONT.bold, size: 8.5, color: COLOR.ink, lineGap: 1 },
  partyName: { font: FONT.bold, size: 10.5, color: COLOR.ink, lineGap: 1 },
  boxAmount: { font: FONT.bold, size: 18, color: COLOR.ink, lineGap: 1 },
  tableHead: { font: FONT.bold, size: 8, color: COLOR.text },
  cell: { font: FONT.regular, size: 9, color: COLOR.ink, lineGap: 1.5 },
  detail: { font: FONT.regular, size: 7.5, color: COLOR.muted, lineGap: 1 },
  empty: { font: FONT.italic, size: 8.5, color: COLOR.muted },
  total: { font: FONT.regular, size: 9, color: COLOR.text, lineGap: 1 },
  totalStrong: { font: FONT.bold, size: 9.5, color: COLOR.ink, lineGap: 1 },
  due: { font: FONT.bold, size: 11, color: COLOR.ink, lineGap: 1 },
  totalNote: { font: FONT.regular, size: 7.5, color: COLOR.muted, lineGap: 1 },
  note: { font: FONT.regular, size: 8.5, color: COLOR.text, lineGap: 1.5 },
  continued: { font: FONT.bold, size: 9, color: COLOR.ink },
  continuedSide: { font: FONT.regular, size: 8.5, color: COLOR.muted },
  footer: { font: FONT.regular, size: 7.5, color: COLOR.muted },
} satisfies Record<string, TextStyle>;

/** Line table columns; numbers are right-aligned. */
const COLUMNS = {
  description: { x: MARGIN_X, width: 264 },
  quantity: { x: MARGIN_X + 264, width: 62 },
  unitPrice: { x: MARGIN_X + 326, width: 92 },
  amount: { x: MARGIN_X + 418, width: CONTENT_WIDTH - 418 },
};
const CELL_PAD_X = 6;
const ROW_PAD_Y = 5;
const TABLE_HEAD_HEIGHT = 20;
const DETAIL_INDENT = 8;
const DETAIL_GAP = 2;
/**
 * A table cell never shows more than a page of text, so longer text is cut before layout (pdfkit's wrapping of an
 * unbroken run of characters is quadratic in its length).
 */
const MAX_CELL_CHARS = 4000;
/** The "… (continued)" line at the top of a page when a row splits across pages. */
const CONTINUED_ROW_HEIGHT = 14;

const STATUS_LABEL: Record<BillingDocument["status"], string> = {
  draft: "Draft",
  finalized: "Finalized",
  paid: "Paid",
  voided: "Voided",
  issued: "Issued",
};

function clip(text: string): string {
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS)}…` : text;
}

/** Renders an invoice or credit note as a PDF file. */
export async function renderBillingDocumentPdf(doc: BillingDocument, options: RenderPdfOptions = {}): Promise<Buffer> {
  const created = documentInstant(doc.issuingDate);
  const title = documentTitle(doc);
  const pdf = new PDFDocument({
    size: "LETTER",
    // 1.4 for the translucent watermark (ExtGState fill opacity).
    pdfVersion: "1.4",
    margins: { top: CONTINUED_TOP, bottom: BOTTOM_MARGIN, left: MARGIN_X, right: MARGIN_X },
    autoFirstPage: false,
    bufferPages: true,
    compress: options.compress ?? true,
    lang: "en-CA",
    displayTitle: true,
    info: {
      Title: `${title} ${doc.number ?? "(draft)"}`,
      Author: doc.seller.legalName,
      Subject: `${title} for ${doc.customer.legalName}`,
      Creator: "Nexa Billing",
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Uint8Array[] = [];
  const output = new Promise<Buffer>((resolve, reject) => {
    pdf.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    pdf.on("end", () => resolve(Buffer.concat(chunks)));
    pdf.on("error", reject);
  });
  new DocumentRenderer(pdf, doc).render();
  pdf.end();
  return output;
}

/** "Invoice" or "Credit note". */
export function documentTitle(doc: Pick<BillingDocument, "kind">): string {
  return doc.kind === "credit_note" ? "Credit note" : "Invoice";
}

/** The diagonal watermark lines a document carries on every page (none for a regular sent document). */
export function watermarkLines(doc: Pick<BillingDocument, "shadow" | "status">): string[] {
  const lines: string[] = [];
  if (doc.shadow) lines.push("SHADOW — NOT SENT");
  if (doc.status === "draft") lines.push("DRAFT");
  if (doc.status === "voided") lines.push("VOID");
  return lines;
}

interface RowPiece {
  height: number;
  draw: (y: number) => void;
}

interface TotalRow {
  label: string;
  value: string;
  note?: string | null;
  emphasis?: "total" | "due";
}

class DocumentRenderer {
  private style: TextStyle = STYLE.body;
  private readonly title: string;
  private readonly reference: string;

  constructor(
    private readonly pdf: Pdf,
    private readonly doc: BillingDocument,
  ) {
    this.title = documentTitle(doc);
    this.reference = `${this.title} ${doc.number ?? "Draft"}`;
  }

  render(): void {
    this.pdf.on("pageAdded", () => this.decoratePage());
    this.pdf.addPage();
    let y = this.header(FIRST_PAGE_TOP);
    y = this.parties(y + 16);
    y = this.creditReason(y);
    y = this.lineTable(y + 20);
    y = this.totals(y + 12);
    y = this.notes(y + 20);
    this.sellerFooter(y + 12);
    this.footers();
  }

  // ── text primitives ────────────────────────────────────────────────────────────────────────────────────────────────

  private use(style: TextStyle): void {
    this.style = style;
    this.pdf.font(style.font).fontSize(style.size).fillColor(style.color);
  }

  private textOptions(style: TextStyle, width: number, extra: TextOptions = {}): TextOptions {
    return { width, lineGap: style.lineGap ?? 0, ...extra };
  }

  /** Height of wrapped text in a style and width. */
  private measure(text: string, style: TextStyle, width: number, extra: TextOptions = {}): number {
    const clean = toWinAnsi(text);
    if (!clean.trim()) return 0;
    this.use(style);
    return this.pdf.heightOfString(clean, this.textOptions(style, width, extra));
  }

  /** Writes wrapped text; returns the y under it (on a later page if the text flowed past the body's bottom). */
  private write(text: string, style: TextStyle, x: number, y: number, width: number, extra: TextOptions = {}): number {
    const clean = toWinAnsi(text);
    if (!clean.trim()) return y;
    this.use(style);
    this.pdf.text(clean, x, y, this.textOptions(style, width, extra));
    return this.pdf.y;
  }

  /** Writes wrapped text clipped to a height it was measured at, so it can never start a new page. */
  private writeBoxed(text: string, style: TextStyle, x: number, y: number, width: number, height: number, align?: "right"): void {
    this.write(text, style, x, y, width, { height: height + 0.5, ellipsis: true, align });
  }

  /** One line, never wrapped, shortened with an ellipsis to fit the width. */
  private writeLine(text: string, style: TextStyle, x: number, y: number, width: number, align: "left" | "right" = "left"): void {
    this.use(style);
    const fitted = this.fit(toWinAnsi(text), width);
    const textWidth = this.pdf.widthOfString(fitted);
    this.pdf.text(fitted, align === "right" ? x + width - textWidth : x, y, { lineBreak: false });
  }

  private fit(text: string, width: number): string {
    if (this.pdf.widthOfString(text) <= width) return text;
    // The longest prefix that fits with an ellipsis: binary search, widths grow with length.
    let low = 0;
    let high = text.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (this.pdf.widthOfString(`${text.slice(0, mid)}…`) <= width) low = mid;
      else high = mid - 1;
    }
    return `${text.slice(0, low).trimEnd()}…`;
  }

  private rule(y: number, x1 = MARGIN_X, x2 = RIGHT, color = COLOR.rule, width = 0.75): void {
    this.pdf.save().moveTo(x1, y).lineTo(x2, y).lineWidth(width).strokeColor(color).stroke().restore();
  }

  private band(x: number, y: number, width: number, height: number): void {
    this.pdf.save().roundedRect(x, y, width, height, 3).fillColor(COLOR.band).fill().restore();
    this.use(this.style);
  }

  private newPage(): number {
    this.pdf.addPage();
    return CONTINUED_TOP;
  }

  // ── every page ─────────────────────────────────────────────────────────────────────────────────────────────────────

  /** Runs for every new page, including those pdfkit adds when a long note flows over: the continuation header. */
  private decoratePage(): void {
    const { x, y } = this.pdf;
    const style = this.style;
    if (this.pdf.bufferedPageRange().count > 1) {
      this.writeLine(`${this.reference} (continued)`, STYLE.continued, MARGIN_X, 42, CONTENT_WIDTH / 2);
      this.writeLine(this.doc.customer.legalName, STYLE.continuedSide, SIDE_X, 42.5, SIDE_WIDTH, "right");
      this.rule(60);
    }
    this.use(style);
    this.pdf.x = x;
    this.pdf.y = y;
  }

  private watermark(): void {
    const lines = watermarkLines(this.doc);
    if (lines.length === 0) return;
    const pdf = this.pdf;
    const color = this.doc.shadow || this.doc.status === "voided" ? COLOR.shadow : COLOR.draft;
    pdf.save();
    pdf.rotate(-40, { origin: [PAGE_WIDTH / 2, PAGE_HEIGHT / 2] });
    pdf.font(FONT.bold).fontSize(100);
    const widest = Math.max(...lines.map((line) => pdf.widthOfString(line)));
    const size = Math.min(84, (100 * 600) / widest);
    pdf.fontSize(size).fillColor(color, 0.13);
    const lineHeight = size * 1.05;
    let y = PAGE_HEIGHT / 2 - (lineHeight * lines.length) / 2;
    for (const line of lines) {
      pdf.text(line, PAGE_WIDTH / 2 - pdf.widthOfString(line) / 2, y, { lineBreak: false });
      y += lineHeight;
    }
    pdf.restore();
  }

  /** Watermark and footer ("Page X of Y") on every page, once the page count is known. */
  private footers(): void {
    const { start, count } = this.pdf.bufferedPageRange();
    const seller = this.doc.seller.legalName;
    for (let index = start; index < start + count; index++) {
      this.pdf.switchToPage(index);
      // Drawn last, over the content (translucent), so shaded boxes cannot hide it.
      this.watermark();
      this.rule(FOOTER_Y - 8);
      this.writeLine(`${seller} · ${this.reference}`, STYLE.footer, MARGIN_X, FOOTER_Y, CONTENT_WIDTH - 90);
      this.writeLine(`Page ${index - start + 1} of ${count}`, STYLE.footer, RIGHT - 80, FOOTER_Y, 80, "right");
    }
  }

  // ── header: seller and document details ─────────────────────────────────────────────────────────────────────────────

  private header(top: number): number {
    const seller = this.doc.seller;
    let left = top;
    if (this.doc.logo) {
      // Fitted into a 160×48 box, keeping its proportions; an image pdfkit cannot read is left out rather than failing the document.
      try {
        this.pdf.image(this.doc.logo.data, MARGIN_X, top, { fit: [160, 48] });
        left += 56;
      } catch {
        left = top;
      }
    }
    left = this.write(seller.legalName, STYLE.sellerName, MARGIN_X, left, LEFT_COLUMN_WIDTH) + 3;
    left = this.partyDetails(seller, left, (r) => `${r.label} ${r.number}`);

    let right = this.write(this.title, STYLE.title, SIDE_X, top - 3, SIDE_WIDTH, { align: "right" }) + 8;
    const labelWidth = 88;
    const valueWidth = SIDE_WIDTH - labelWidth;
    for (const [label, value] of this.detailRows()) {
      const height = Math.max(
        this.measure(label, STYLE.metaLabel, labelWidth - 6),
        this.measure(value, STYLE.metaValue, valueWidth),
      );
      this.writeBoxed(label, STYLE.metaLabel, SIDE_X, right, labelWidth - 6, height);
      this.writeBoxed(value, STYLE.metaValue, SIDE_X + labelWidth, right, valueWidth, height, "right");
      right += height + 3;
    }
    return Math.max(left, right);
  }

  private detailRows(): [string, string][] {
    const doc = this.doc;
    const rows: [string, string][] = [
      [doc.kind === "credit_note" ? "Credit note number" : "Invoice number", doc.number ?? "Draft"],
      ["Status", STATUS_LABEL[doc.status] ?? doc.status],
      ["Issue date", formatDocumentDate(doc.issuingDate)],
    ];
    if (doc.dueDate) rows.push(["Due date", formatDocumentDate(doc.dueDate)]);
    if (doc.kind === "credit_note" && doc.relatedInvoiceNumber) rows.push(["Original invoice", doc.relatedInvoiceNumber]);
    const period = formatPeriod(doc.periodStart, doc.periodEnd);
    if (period) rows.push(["Service period", period]);
    if (doc.serviceName) rows.push(["Service", doc.serviceName]);
    return rows;
  }

  /** Address lines, e-mail and registrations of a party, under its name. */
  private partyDetails(party: DocumentParty, top: number, registration: (r: DocumentParty["registrations"][number]) => string): number {
    let y = top;
    for (const line of party.addressLines) y = this.write(line, STYLE.body, MARGIN_X, y, LEFT_COLUMN_WIDTH);
    if (party.email) y = this.write(party.email, STYLE.body, MARGIN_X, y, LEFT_COLUMN_WIDTH);
    if (party.registrations.length > 0) y += 3;
    for (const r of party.registrations) y = this.write(registration(r), STYLE.small, MARGIN_X, y, LEFT_COLUMN_WIDTH);
    return y;
  }

  // ── bill-to and the amount due ──────────────────────────────────────────────────────────────────────────────────────

  private parties(top: number): number {
    const doc = this.doc;
    this.rule(top);
    const y0 = top + 14;
    let left = this.write("BILL TO", STYLE.caption, MARGIN_X, y0, LEFT_COLUMN_WIDTH) + 4;
    left = this.write(doc.customer.legalName, STYLE.partyName, MARGIN_X, left, LEFT_COLUMN_WIDTH) + 2;
    left = this.partyDetails(doc.customer, left, (r) => `${r.label}: ${r.number}`);

    const [label, amount, note] = this.summary();
    const pad = 12;
    const width = SIDE_WIDTH - 2 * pad;
    const labelHeight = this.measure(label, STYLE.caption, width);
    const amountHeight = this.measure(amount, STYLE.boxAmount, width);
    const noteHeight = note ? this.measure(note, STYLE.body, width) : 0;
    const boxHeight = pad + labelHeight + 5 + amountHeight + (note ? 3 + noteHeight : 0) + pad - 2;
    this.band(SIDE_X, y0 - 2, SIDE_WIDTH, boxHeight);
    let y = y0 - 2 + pad;
    this.writeBoxed(label, STYLE.caption, SIDE_X + pad, y, width, labelHeight);
    y += labelHeight + 5;
    this.writeBoxed(amount, STYLE.boxAmount, SIDE_X + pad, y, width, amountHeight);
    y += amountHeight + 3;
    if (note) this.writeBoxed(note, STYLE.body, SIDE_X + pad, y, width, noteHeight);
    return Math.max(left, y0 - 2 + boxHeight);
  }

  /** The headline box: what is owed (invoice) or credited (credit note). */
  private summary(): [string, string, string | null] {
    const doc = this.doc;
    if (doc.kind === "credit_note") {
      const note = doc.relatedInvoiceNumber ? `Credited against invoice ${doc.relatedInvoiceNumber}` : null;
      return ["TOTAL CREDIT", formatMoney(doc.totalCents, doc.currency), note];
    }
    let note: string | null = doc.dueDate ? `Due ${formatDocumentDate(doc.dueDate)}` : null;
    if (doc.status === "voided") note = "This invoice has been voided";
    else if (doc.status === "paid" && doc.amountDueCents === 0n) note = "Paid in full — thank you";
    return ["AMOUNT DUE", formatMoney(doc.amountDueCents, doc.currency), note];
  }

  private creditReason(top: number): number {
    const reason = this.doc.kind === "credit_note" ? this.doc.reason?.trim() : null;
    if (!reason) return top;
    let y = top + 16;
    if (y + 30 > BODY_BOTTOM) y = this.newPage();
    y = this.write("REASON FOR CREDIT", STYLE.caption, MARGIN_X, y, CONTENT_WIDTH) + 3;
    return this.write(reason, STYLE.body, MARGIN_X, y, CONTENT_WIDTH);
  }

  // ── line table ───────────────────────────────────────────────────────────────────────────────────────────────────────

  private lineTable(top: number): number {
    let y = top;
    if (y + TABLE_HEAD_HEIGHT + 40 > BODY_BOTTOM) y = this.newPage();
    y = this.tableHead(y);
    if (this.doc.lines.length === 0) {
      this.writeLine("No line items.", STYLE.empty, COLUMNS.description.x + CELL_PAD_X, y + ROW_PAD_Y, 200);
      y += ROW_PAD_Y * 2 + 12;
      this.rule(y);
      return y;
    }
    for (const line of this.doc.lines) y = this.tableRow(line, this.rowPieces(line), y);
    return y;
  }

  private tableHead(y: number): number {
    this.band(MARGIN_X, y, CONTENT_WIDTH, TABLE_HEAD_HEIGHT);
    const textY = y + 6.5;
    const cell = (name: keyof typeof COLUMNS, label: string, align: "left" | "right") => {
      const column = COLUMNS[name];
      this.writeLine(label, STYLE.tableHead, column.x + CELL_PAD_X, textY, column.width - 2 * CELL_PAD_X, align);
    };
    cell("description", "Description", "left");
    cell("quantity", "Qty", "right");
    cell("unitPrice", "Unit price", "right");
    cell("amount", "Amount", "right");
    return y + TABLE_HEAD_HEIGHT;
  }

  /** The most a single piece of a row may take: a whole page under the repeated table header. */
  private get pieceCap(): number {
    return BODY_BOTTOM - CONTINUED_TOP - TABLE_HEAD_HEIGHT - 2 * ROW_PAD_Y - CONTINUED_ROW_HEIGHT - 2;
  }

  /** A line as pieces: its description with the numbers, then each detail line; a row only splits between pieces. */
  private rowPieces(line: DocumentLine): RowPiece[] {
    const currency = this.doc.currency;
    const description = clip(line.description);
    const descWidth = COLUMNS.description.width - 2 * CELL_PAD_X;
    const numbers: [keyof typeof COLUMNS, string][] = [
      ["quantity", line.quantity === null ? "" : formatQuantity(line.quantity)],
      ["unitPrice", line.unitAmount === null ? "" : formatUnitAmount(line.unitAmount, currency)],
      ["amount", formatMoney(line.amountCents, currency)],
    ];
    const descHeight = Math.min(this.measure(description, STYLE.cell, descWidth), this.pieceCap);
    const numberHeights = numbers.map(([column, text]) =>
      Math.min(this.measure(text, STYLE.cell, COLUMNS[column].width - 2 * CELL_PAD_X), this.pieceCap),
    );
    const pieces: RowPiece[] = [
      {
        height: Math.max(descHeight, ...numberHeights, 10),
        draw: (y) => {
          this.writeBoxed(description, STYLE.cell, COLUMNS.description.x + CELL_PAD_X, y, descWidth, descHeight);
          numbers.forEach(([column, text], index) => {
            const { x, width } = COLUMNS[column];
            this.writeBoxed(text, STYLE.cell, x + CELL_PAD_X, y, width - 2 * CELL_PAD_X, numberHeights[index], "right");
          });
        },
      },
    ];
    const detailX = COLUMNS.description.x + CELL_PAD_X + DETAIL_INDENT;
    const detailWidth = descWidth - DETAIL_INDENT;
    for (const detail of line.details.map(clip)) {
      const height = Math.min(this.measure(detail, STYLE.detail, detailWidth), this.pieceCap - DETAIL_GAP);
      if (height === 0) continue;
      pieces.push({
        height: height + DETAIL_GAP,
        draw: (y) => this.writeBoxed(detail, STYLE.detail, detailX, y + DETAIL_GAP, detailWidth, height),
      });
    }
    return pieces;
  }

  /** Draws a row at y, or on a new page (header repeated) when it does not fit; returns the y under its rule. */
  private tableRow(line: DocumentLine, pieces: RowPiece[], top: number): number {
    const contentHeight = pieces.reduce((sum, piece) => sum + piece.height, 0);
    let y = top;
    if (y + contentHeight + 2 * ROW_PAD_Y > BODY_BOTTOM && contentHeight <= this.pieceCap) {
      y = this.tableHead(this.newPage());
    }
    y += ROW_PAD_Y;
    pieces.forEach((piece, index) => {
      const bottomPad = index === pieces.length - 1 ? ROW_PAD_Y : 0;
      if (y + piece.height + bottomPad > BODY_BOTTOM) {
        y = this.tableHead(this.newPage()) + ROW_PAD_Y;
        const x = COLUMNS.description.x + CELL_PAD_X;
        this.writeLine(`${line.description} (continued)`, STYLE.empty, x, y, COLUMNS.description.width - 2 * CELL_PAD_X);
        y += CONTINUED_ROW_HEIGHT;
      }
      piece.draw(y);
      y += piece.height;
    });
    y += ROW_PAD_Y;
    this.rule(y, MARGIN_X, RIGHT, COLOR.rule, 0.5);
    return y;
  }

  // ── totals ─────────────────────────────────────────────────────────────────────────────────────────────────────────

  private totalRows(): TotalRow[] {
    const doc = this.doc;
    const money = (cents: bigint) => formatMoney(cents, doc.currency);
    const rows: TotalRow[] = [{ label: "Subtotal", value: money(doc.subtotalCents) }];
    for (const discount of doc.discounts ?? []) rows.push({ label: discount.description, value: money(-discount.amountCents) });
    for (const tax of doc.taxes) {
      const note = [`on ${money(tax.taxableAmountCents)}`];
      if (tax.registrationNumber) note.push(`Registration no. ${tax.registrationNumber}`);
      rows.push({ label: `${tax.name} ${formatPercent(tax.ratePercent)}`, value: money(tax.amountCents), note: note.join(" · ") });
    }
    if (doc.taxes.length === 0) rows.push({ label: "Tax", value: money(0n), note: doc.taxNote });
    if (doc.creditsAppliedCents !== 0n) rows.push({ label: "Credits applied", value: money(-doc.creditsAppliedCents) });
    if (doc.kind === "credit_note") {
      rows.push({ label: "Total credit", value: money(doc.totalCents), emphasis: "total" });
      if (doc.amountPaidCents !== 0n) rows.push({ label: "Amount paid", value: money(doc.amountPaidCents) });
      if (doc.amountDueCents !== 0n) rows.push({ label: "Amount due", value: money(doc.amountDueCents), emphasis: "due" });
    } else {
      rows.push({ label: "Total", value: money(doc.totalCents), emphasis: "total" });
      if (doc.creditBalanceAppliedCents) rows.push({ label: "Credit applied", value: money(-doc.creditBalanceAppliedCents) });
      rows.push({ label: "Amount paid", value: money(doc.amountPaidCents) });
      rows.push({ label: "Amount due", value: money(doc.amountDueCents), emphasis: "due" });
    }
    return rows;
  }

  private totals(top: number): number {
    const pad = 8;
    const valueWidth = 112;
    const labelWidth = SIDE_WIDTH - valueWidth - 2 * pad - 8;
    const noteWidth = SIDE_WIDTH - 2 * pad;
    const laidOut = this.totalRows().map((row) => {
      const style = row.emphasis === "due" ? STYLE.due : row.emphasis === "total" ? STYLE.totalStrong : STYLE.total;
      const labelHeight = this.measure(row.label, style, labelWidth);
      const valueHeight = this.measure(row.value, style, valueWidth);
      const noteHeight = row.note ? this.measure(row.note, STYLE.totalNote, noteWidth) : 0;
      const mainHeight = Math.max(labelHeight, valueHeight);
      const padY = row.emphasis ? 6 : 4;
      const height = padY + mainHeight + (noteHeight ? 1.5 + noteHeight : 0) + padY;
      return { row, style, labelHeight, valueHeight, noteHeight, mainHeight, padY, height };
    });
    const blockHeight = laidOut.reduce((sum, item) => sum + item.height, 0);
    let y = top;
    if (y + blockHeight > BODY_BOTTOM) y = this.newPage();
    for (const item of laidOut) {
      const { row, style } = item;
      if (row.emphasis === "total") this.rule(y, SIDE_X, RIGHT, COLOR.ink, 0.75);
      if (row.emphasis === "due") this.band(SIDE_X, y + 2, SIDE_WIDTH, item.height - 2);
      const rowTop = y + item.padY + (row.emphasis === "due" ? 2.5 : 0);
      this.writeBoxed(row.label, style, SIDE_X + pad, rowTop, labelWidth, item.labelHeight);
      this.writeBoxed(row.value, style, RIGHT - pad - valueWidth, rowTop, valueWidth, item.valueHeight, "right");
      if (row.note) {
        this.writeBoxed(row.note, STYLE.totalNote, SIDE_X + pad, rowTop + item.mainHeight + 1.5, noteWidth, item.noteHeight);
      }
      y += item.height;
    }
    return y;
  }

  /** The seller's own footer text, after everything else. */
  private sellerFooter(top: number): number {
    const footer = this.doc.footer?.trim();
    if (!footer) return top;
    let y = top;
    if (y + 24 > BODY_BOTTOM) y = this.newPage();
    this.rule(y);
    return this.write(footer, STYLE.note, MARGIN_X, y + 6, CONTENT_WIDTH) + 4;
  }

  // ── notes ──────────────────────────────────────────────────────────────────────────────────────────────────────────

  private notes(top: number): number {
    const notes = this.doc.notes.map((note) => note.trim()).filter(Boolean);
    if (notes.length === 0) return top;
    let y = top;
    const firstHeight = Math.min(this.measure(notes[0], STYLE.note, CONTENT_WIDTH), 40);
    if (y + 14 + firstHeight > BODY_BOTTOM) y = this.newPage();
    y = this.write("NOTES", STYLE.caption, MARGIN_X, y, CONTENT_WIDTH) + 4;
    for (const note of notes) {
      // Long notes flow onto new pages by themselves; decoratePage() adds the watermark and continuation header.
      if (y + 12 > BODY_BOTTOM) y = this.newPage();
      y = this.write(note, STYLE.note, MARGIN_X, y, CONTENT_WIDTH) + 4;
    }
    return y;
  }
}

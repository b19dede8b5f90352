import { describe, expect, it } from "vitest";
import type { BillingDocument } from "@/lib/documents/billing-document";
import { renderBillingDocumentPdf, watermarkLines } from "@/lib/documents/render-pdf";
import { creditNote, longInvoice, ontarioInvoice, quebecInvoice, shadowDraft, stressInvoice, usInvoice } from "./fixtures";
import { inspectPdf, runWidth, type InspectedPdf } from "./pdf-inspect";

/** US Letter with 48 pt side margins; the footer sits under y = 54 (PDF coordinates, from the bottom). */
const PAGE_HEIGHT = 792;
const LEFT = 48;
const RIGHT = 612 - 48;
const FOOTER_LINE = 54;

interface Rendered extends InspectedPdf {
  buffer: Buffer;
  /** Text of each run, all pages. */
  runs: string[];
  /** All text joined with spaces, so text wrapped over several lines reads as one phrase. */
  flat: string;
}

async function render(doc: BillingDocument): Promise<Rendered> {
  const buffer = await renderBillingDocumentPdf(doc, { compress: false });
  const inspected = inspectPdf(buffer);
  const runs = inspected.pages.flatMap((page) => page.runs.map((run) => run.text));
  return { ...inspected, buffer, runs, flat: runs.join(" ").replace(/\s+/g, " ") };
}

/** A real PDF with the expected number of pages, "Page X of N" on each, and every run inside the page margins. */
function expectWellFormed(pdf: Rendered, doc: BillingDocument, pageCount: number): void {
  expect(pdf.buffer.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  expect(pdf.buffer.subarray(-6).toString("latin1")).toContain("%%EOF");
  expect(pdf.pageObjectCount).toBe(pageCount);
  expect(pdf.pageTreeCount).toBe(pageCount);
  expect(pdf.pages).toHaveLength(pageCount);

  const watermark = new Set(watermarkLines(doc));
  pdf.pages.forEach((page, index) => {
    const footer = `Page ${index + 1} of ${pageCount}`;
    expect(page.runs.map((run) => run.text)).toContain(footer);
    for (const run of page.runs) {
      if (watermark.has(run.text)) continue; // drawn rotated about the page centre
      const where = `page ${index + 1}: ${JSON.stringify(run.text.slice(0, 60))} at (${run.x}, ${run.y})`;
      expect(run.x, where).toBeGreaterThanOrEqual(LEFT - 0.01);
      expect(run.x + runWidth(run), where).toBeLessThanOrEqual(RIGHT + 0.5);
      expect(run.y, where).toBeGreaterThanOrEqual(36);
      expect(run.y, where).toBeLessThanOrEqual(PAGE_HEIGHT - 36);
    }
    // Below the footer rule there is only the footer: the reference on the left, the page number on the right.
    const belowFooterLine = page.runs.filter((run) => run.y < FOOTER_LINE && !watermark.has(run.text)).map((run) => run.text);
    expect(belowFooterLine).toHaveLength(2);
    expect(belowFooterLine).toContain(footer);
  });
}

function count(runs: string[], text: string): number {
  return runs.filter((run) => run === text).length;
}

describe("renderBillingDocumentPdf", () => {
  it("(a) renders an Ontario invoice with HST and several lines", async () => {
    const doc = ontarioInvoice();
    const pdf = await render(doc);
    expectWellFormed(pdf, doc, 1);

    // Title, number, status, dates, service.
    for (const text of ["Invoice", "INV-2026-000123", "Finalized", "Nov 25, 2026", "Dec 25, 2026", "Nexa Compute"]) {
      expect(pdf.runs, text).toContain(text);
    }
    expect(pdf.runs).toContain("Nov 1, 2026 – Nov 30, 2026");
    // Dates read as on the screens, never as ISO dates.
    expect(pdf.flat).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
    // Seller, with every registration number and its label.
    for (const text of ["Nexa Cloud Services Inc.", "200 Bay Street, Suite 1400", "billing@nexa.example"]) expect(pdf.runs).toContain(text);
    expect(pdf.runs).toContain("GST/HST 123456789 RT0001");
    expect(pdf.runs).toContain("QST 1234567890 TQ0001");
    // Bill to.
    expect(pdf.runs).toContain("BILL TO");
    expect(pdf.runs).toContain("Maple Leaf Analytics Ltd.");
    expect(pdf.runs).toContain("Ottawa ON  K1P 6L5");
    expect(pdf.runs).toContain("Tax number: 987654321 RT0001");
    // Table: header, descriptions, details, quantities, unit prices, amounts.
    for (const text of ["Description", "Qty", "Unit price", "Amount"]) expect(pdf.runs).toContain(text);
    for (const line of doc.lines) expect(pdf.runs).toContain(line.description);
    expect(pdf.runs).toContain("1,000,000 included");
    expect(pdf.flat).toContain("Billed: 250,000 requests above the included quantity at $0.0004 each, rounded to the cent");
    for (const text of ["1,250,000", "412.5", "$499.00", "$0.0004", "-$18.00"]) expect(pdf.runs, text).toContain(text);
    for (const text of ["$300.00", "$375.56", "$180.00", "-$54.00"]) expect(pdf.runs, text).toContain(text);
    // Totals: each tax with name, rate, taxable amount and the seller's registration number.
    expect(pdf.runs).toContain("Subtotal");
    expect(pdf.runs).toContain("$1,234.56");
    expect(pdf.runs).toContain("HST 13%");
    expect(pdf.runs).toContain("$160.49");
    expect(pdf.runs).toContain("on $1,234.56 · Registration no. 123456789 RT0001");
    expect(pdf.runs).toContain("Total");
    expect(pdf.runs).toContain("Amount paid");
    expect(pdf.runs).toContain("$0.00");
    expect(pdf.runs).toContain("Amount due");
    expect(count(pdf.runs, "$1,395.05")).toBe(3); // the amount-due box, Total and Amount due
    expect(pdf.runs).not.toContain("Credits applied");
    expect(pdf.runs).toContain("Payment by EFT or cheque within 30 days. Thank you for your business.");
    // No watermark on a finalized, sent invoice.
    for (const mark of ["SHADOW — NOT SENT", "DRAFT", "VOID"]) expect(pdf.runs).not.toContain(mark);
  });

  it("(b) renders a Québec invoice with GST and QST and keeps accented names intact", async () => {
    const doc = quebecInvoice();
    const pdf = await render(doc);
    expectWellFormed(pdf, doc, 1);

    expect(pdf.runs).toContain("INV-2026-000124");
    expect(pdf.runs).toContain("Société de Génie Élégant du Québec Ltée");
    expect(pdf.runs).toContain("1250, boul. René-Lévesque Ouest, bureau 3000");
    expect(pdf.runs).toContain("Montréal QC  H3B 4W8");
    expect(pdf.runs).toContain("comptabilité@genie-elegant.example");
    expect(pdf.runs).toContain("Tax number: 111222333 RT0001");
    expect(pdf.runs).toContain("Exemption number: QC-EX-2026-0042");
    expect(pdf.runs).toContain("Nexa Données — hébergement géré");
    expect(pdf.runs).toContain("Hébergement géré — forfait « Célèbre »");
    expect(pdf.runs).toContain("Traitement des données (façade, crème brûlée, naïveté)");
    expect(pdf.runs).toContain("Merci de votre confiance — François Bélanger, directeur des comptes.");

    expect(pdf.runs).toContain("GST 5%");
    expect(pdf.runs).toContain("$75.00");
    expect(pdf.runs).toContain("on $1,500.00 · Registration no. 123456789 RT0001");
    expect(pdf.runs).toContain("QST 9.975%");
    expect(pdf.runs).toContain("$149.63");
    expect(pdf.runs).toContain("on $1,500.00 · Registration no. 1234567890 TQ0001");
    expect(pdf.runs).toContain("$1,500.00");
    expect(count(pdf.runs, "$1,724.63")).toBe(3);
  });

  it("(c) renders a zero-rated US invoice in USD with its tax note", async () => {
    const doc = usInvoice();
    const pdf = await render(doc);
    expectWellFormed(pdf, doc, 1);

    expect(pdf.runs).toContain("Acme Widgets LLC");
    expect(pdf.runs).toContain("Seattle WA 98101");
    expect(pdf.runs).toContain("$24,000.00 USD");
    expect(pdf.runs).toContain("$150.00 USD");
    expect(pdf.runs).toContain("$1,800.00 USD");
    expect(pdf.runs).toContain("$25,800.00 USD");
    expect(pdf.runs).toContain("Tax");
    expect(pdf.runs).toContain("$0.00 USD");
    expect(pdf.runs).toContain("Zero-rated: customer outside Canada");
    expect(pdf.runs).toContain("Credits applied");
    expect(pdf.runs).toContain("-$500.00 USD");
    expect(pdf.runs).toContain("$25,300.00 USD");
    expect(pdf.runs).toContain("$10,000.00 USD");
    expect(count(pdf.runs, "$15,300.00 USD")).toBe(2);
    expect(pdf.runs.filter((run) => /^(GST|HST|QST|PST) [\d.]+%$/.test(run))).toEqual([]);
    expect(pdf.runs.filter((run) => run.includes("CAD"))).toEqual([]);
  });

  it("(d) renders a credit note with the invoice it credits and the reason", async () => {
    const doc = creditNote();
    const pdf = await render(doc);
    expectWellFormed(pdf, doc, 1);

    expect(pdf.runs).toContain("Credit note");
    expect(pdf.runs).toContain("Credit note number");
    expect(pdf.runs).toContain("CN-2026-000004");
    expect(pdf.runs).toContain("Issued");
    expect(pdf.runs).toContain("Dec 2, 2026");
    expect(pdf.runs).toContain("Original invoice");
    expect(pdf.runs).toContain("INV-2026-000123");
    expect(pdf.runs).toContain("Credited against invoice INV-2026-000123");
    expect(pdf.runs).toContain("REASON FOR CREDIT");
    expect(pdf.flat).toContain(doc.reason);
    expect(pdf.runs).toContain("Service credit — Business plan");
    expect(pdf.runs).toContain("HST 13%");
    expect(pdf.runs).toContain("$13.00");
    expect(pdf.runs).toContain("Total credit");
    expect(count(pdf.runs, "$113.00")).toBe(2);
    // Nothing is owed on a credit note: no payment rows, no due date.
    expect(pdf.runs).not.toContain("Amount due");
    expect(pdf.runs).not.toContain("Due date");
    expect(pdf.runs).not.toContain("Invoice");
  });

  it("(e) watermarks a shadow draft and labels it Draft", async () => {
    const doc = shadowDraft();
    const pdf = await render(doc);
    expectWellFormed(pdf, doc, 1);

    expect(watermarkLines(doc)).toEqual(["SHADOW — NOT SENT", "DRAFT"]);
    const marks = pdf.pages[0].runs.filter((run) => run.text === "SHADOW — NOT SENT" || run.text === "DRAFT");
    expect(marks.map((run) => run.text)).toEqual(["SHADOW — NOT SENT", "DRAFT"]);
    for (const mark of marks) expect(mark.size).toBeGreaterThan(40);
    // Translucent: an ExtGState with a fill opacity.
    expect(pdf.buffer.toString("latin1")).toMatch(/\/ca 0\.13/);
    // No number yet: "Draft" as the number, and as the status.
    expect(count(pdf.runs, "Draft")).toBe(2);
    expect(pdf.runs).toContain("Nexa Cloud Services Inc. · Invoice Draft");
    expect(pdf.runs.filter((run) => run.startsWith("INV-"))).toEqual([]);
  });

  it("(f) paginates 120 lines with the table header repeated and every line once, in order", async () => {
    const doc = longInvoice(120);
    const pdf = await render(doc);
    expectWellFormed(pdf, doc, 6);

    const lineNumbers = pdf.runs.flatMap((run) => /^Usage line (\d+):/.exec(run)?.[1] ?? []).map(Number);
    expect(lineNumbers).toEqual(Array.from({ length: 120 }, (_, index) => index + 1));
    pdf.pages.forEach((page, index) => {
      const texts = page.runs.map((run) => run.text);
      const firstLine = texts.findIndex((text) => text.startsWith("Usage line "));
      expect(firstLine, `page ${index + 1} has lines`).toBeGreaterThan(0);
      // The header row comes before the page's first line.
      for (const head of ["Description", "Qty", "Unit price", "Amount"]) {
        const at = texts.indexOf(head);
        expect(at, `${head} on page ${index + 1}`).toBeGreaterThanOrEqual(0);
        expect(at).toBeLessThan(firstLine);
      }
      if (index > 0) expect(texts).toContain("Invoice INV-2026-000200 (continued)");
    });
    // Totals once, on the last page.
    const last = pdf.pages[pdf.pages.length - 1].runs.map((run) => run.text);
    expect(last).toContain("$10,425.00");
    expect(last).toContain("$1,355.25");
    expect(count(pdf.runs, "$11,780.25")).toBe(3);
    expect(count(pdf.runs, "Subtotal")).toBe(1);
  });

  it("keeps absurdly long content inside the pages and splits an over-long row with a continuation label", async () => {
    const doc = stressInvoice();
    const pdf = await render(doc);
    expectWellFormed(pdf, doc, pdf.pages.length);
    expect(pdf.pages.length).toBeGreaterThanOrEqual(5);

    for (const page of pdf.pages) expect(page.runs.map((run) => run.text)).toContain("VOID");
    // The customer's name wraps (pdfkit also breaks after the hyphen in "Abitibi-Témiscamingue").
    expect(pdf.flat).toContain("Société Coopérative de Développement Économique Régional de l'Abitibi-");
    expect(pdf.flat).toContain("Témiscamingue et du Nord-du-Québec");
    // Characters the standard fonts lack are spelled out or replaced, never written as broken bytes.
    expect(pdf.runs).toContain("?ódz office — “quoted” <= >= -> v ?? emoji ?");
    expect(pdf.runs).toContain("Tiered usage with a very long breakdown (continued)");
    expect(pdf.flat).toContain("Tier 90: 8901–9000 units at €0.89");
    expect(pdf.runs).toContain("This invoice has been voided");
    // The 30,000-character description is cut to one page's height with an ellipsis.
    expect(pdf.runs.some((run) => /^x+…$/.test(run))).toBe(true);
  });

  it("is deterministic: the same document gives the same bytes, dated from its issue date", async () => {
    const first = await renderBillingDocumentPdf(ontarioInvoice(), { compress: false });
    const second = await renderBillingDocumentPdf(ontarioInvoice(), { compress: false });
    expect(first.equals(second)).toBe(true);
    const info = inspectPdf(first).info;
    expect(info).toContain("/CreationDate (D:20261125000000Z)");
    expect(info).toContain("/Title (Invoice INV-2026-000123)");

    const compressed = await renderBillingDocumentPdf(ontarioInvoice());
    expect(compressed.equals(await renderBillingDocumentPdf(ontarioInvoice()))).toBe(true);
  });

  it("compresses by default", async () => {
    const compressed = await renderBillingDocumentPdf(ontarioInvoice());
    const plain = await renderBillingDocumentPdf(ontarioInvoice(), { compress: false });
    expect(compressed.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(compressed.toString("latin1")).toContain("/FlateDecode");
    expect(compressed.length).toBeLessThan(plain.length);
    expect(() => inspectPdf(compressed)).toThrow(/compress: false/);
  });

  it("rejects a document with an impossible date", async () => {
    await expect(renderBillingDocumentPdf({ ...ontarioInvoice(), dueDate: "2026-02-30" })).rejects.toThrow(RangeError);
  });
});

/**
 * Reads back what pdfkit wrote, for tests: the page tree and every text run of every page, with its font, size and
 * position. Works on PDFs written with `compress: false`, where content streams are plain text.
 *
 * pdfkit shows standard-font text as `[<hex> kern <hex> …] TJ`, the hex being WinAnsi (Windows-1252) bytes; a run is
 * the concatenation of its hex strings (an odd-length one, which pdfkit writes for characters it cannot encode, throws). The text position comes from the `Tm` operator before it; pdfkit wraps each run
 * in flips that cancel out, so (x, y) are PDF user-space coordinates (origin bottom-left) for unrotated text.
 */
import PDFDocument from "pdfkit";

export interface TextRun {
  text: string;
  x: number;
  y: number;
  /** BaseFont, e.g. "Helvetica-Bold". */
  font: string;
  size: number;
}

export interface PdfPage {
  runs: TextRun[];
  /** Every run's text, one per line, in drawing order. */
  text: string;
}

export interface InspectedPdf {
  /** Number of `/Type /Page` objects. */
  pageObjectCount: number;
  /** `/Count` of the root pages tree. */
  pageTreeCount: number;
  pages: PdfPage[];
  /** All pages' text. */
  text: string;
  /** The Info dictionary's text, its values inlined. */
  info: string;
}

/** Windows-1252 bytes 0x80–0x9F (Node's TextDecoder reads them as C1 controls); the rest is Latin-1. */
const WIN_ANSI_HIGH = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ";

function winAnsiChar(byte: number): string {
  return byte >= 0x80 && byte <= 0x9f ? WIN_ANSI_HIGH[byte - 0x80] : String.fromCharCode(byte);
}

function objectsOf(source: string): Map<number, string> {
  const objects = new Map<number, string>();
  for (const match of source.matchAll(/(?:^|\n)(\d+) 0 obj\n([\s\S]*?)\nendobj/g)) objects.set(Number(match[1]), match[2]);
  return objects;
}

function ref(body: string, key: string): number | null {
  const match = new RegExp(`/${key} (\\d+) 0 R`).exec(body);
  return match ? Number(match[1]) : null;
}

function decodeHex(hex: string): string {
  if (hex.length % 2 !== 0) throw new Error(`Odd-length hex string in a TJ operator: <${hex}> (unencodable character?)`);
  let text = "";
  for (let i = 0; i < hex.length; i += 2) text += winAnsiChar(parseInt(hex.slice(i, i + 2), 16));
  return text;
}

function fontNames(objects: Map<number, string>, pageBody: string): Map<string, string> {
  const names = new Map<string, string>();
  const resourcesRef = ref(pageBody, "Resources");
  const resources = resourcesRef === null ? pageBody : (objects.get(resourcesRef) ?? "");
  const fontDict = /\/Font <<([\s\S]*?)>>/.exec(resources)?.[1] ?? "";
  for (const match of fontDict.matchAll(/\/(\w+) (\d+) 0 R/g)) {
    const baseFont = /\/BaseFont \/([\w-]+)/.exec(objects.get(Number(match[2])) ?? "")?.[1];
    if (baseFont) names.set(match[1], baseFont);
  }
  return names;
}

function textRuns(stream: string, fonts: Map<string, string>): TextRun[] {
  const runs: TextRun[] = [];
  let x = 0;
  let y = 0;
  let font = "";
  let size = 0;
  const operators = /1 0 0 1 (-?[\d.]+) (-?[\d.]+) Tm|\/(\w+) ([\d.]+) Tf|\[([^\]]*)\] TJ/g;
  for (const match of stream.matchAll(operators)) {
    if (match[1] !== undefined) {
      x = Number(match[1]);
      y = Number(match[2]);
    } else if (match[3] !== undefined) {
      font = fonts.get(match[3]) ?? match[3];
      size = Number(match[4]);
    } else {
      const text = [...match[5].matchAll(/<([0-9a-fA-F]*)>/g)].map((hex) => decodeHex(hex[1])).join("");
      runs.push({ text, x, y, font, size });
    }
  }
  return runs;
}

function pageRefs(objects: Map<number, string>, id: number): number[] {
  const body = objects.get(id) ?? "";
  if (/\/Type \/Page\b(?!s)/.test(body)) return [id];
  const kids = /\/Kids \[([^\]]*)\]/.exec(body)?.[1] ?? "";
  return [...kids.matchAll(/(\d+) 0 R/g)].flatMap((kid) => pageRefs(objects, Number(kid[1])));
}

export function inspectPdf(buffer: Buffer): InspectedPdf {
  const source = buffer.toString("latin1");
  const objects = objectsOf(source);
  const trailer = source.slice(source.lastIndexOf("trailer"));
  const catalog = objects.get(ref(trailer, "Root") ?? -1) ?? "";
  const rootPagesId = ref(catalog, "Pages");
  if (rootPagesId === null) throw new Error("No pages tree");
  const pageTreeCount = Number(/\/Count (\d+)/.exec(objects.get(rootPagesId) ?? "")?.[1] ?? NaN);
  const pageObjectCount = [...objects.values()].filter((body) => /\/Type \/Page\b(?!s)/.test(body)).length;

  const pages = pageRefs(objects, rootPagesId).map((pageId) => {
    const body = objects.get(pageId) ?? "";
    const contents = objects.get(ref(body, "Contents") ?? -1) ?? "";
    if (/\/Filter/.test(contents.slice(0, contents.indexOf("stream")))) {
      throw new Error("Compressed content stream: render with { compress: false }");
    }
    const stream = /stream\n([\s\S]*)\nendstream/.exec(contents)?.[1] ?? "";
    const runs = textRuns(stream, fontNames(objects, body));
    return { runs, text: runs.map((run) => run.text).join("\n") };
  });
  const info = (objects.get(ref(trailer, "Info") ?? -1) ?? "").replace(/(\d+) 0 R/g, (_, id: string) => objects.get(Number(id)) ?? "");
  return { pageObjectCount, pageTreeCount, pages, text: pages.map((page) => page.text).join("\n"), info };
}

let measurer: PDFKit.PDFDocument | null = null;

/** Inked width of a run as the standard font lays it out (pdfkit's own metrics), without trailing spaces. */
export function runWidth(run: TextRun): number {
  measurer ??= new PDFDocument({ autoFirstPage: false });
  return measurer.font(run.font).fontSize(run.size).widthOfString(run.text.trimEnd());
}

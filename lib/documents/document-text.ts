/**
 * Text helpers for billing documents: calendar dates printed with the screens' date format, and text made safe for the
 * PDF standard fonts (WinAnsi encoding).
 */
import { formatDate } from "@/lib/format";

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CalendarDateParts {
  year: number;
  month: number;
  day: number;
}

/** Reads "YYYY-MM-DD" as a calendar date; no Date, no timezone. Throws RangeError for anything else. */
export function parseDocumentDate(value: string): CalendarDateParts {
  const match = CALENDAR_DATE.exec(value);
  if (match) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      return { year, month, day };
    }
  }
  throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(value)}`);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * "2026-11-25" → "Nov 25, 2026", through the screens' `formatDate`. The calendar date is already the customer's day
 * (the document resolves it in their timezone), so it is formatted as the UTC midnight of that day.
 */
export function formatDocumentDate(value: string): string {
  return formatDate(documentInstant(value), "UTC");
}

/** A service period: "Nov 1, 2026 – Nov 30, 2026", "From …", "Until …", or null when neither end is known. */
export function formatPeriod(start: string | null, end: string | null): string | null {
  if (start && end) return `${formatDocumentDate(start)} – ${formatDocumentDate(end)}`;
  if (start) return `From ${formatDocumentDate(start)}`;
  if (end) return `Until ${formatDocumentDate(end)}`;
  return null;
}

/** Midnight UTC of the calendar date, used as the PDF's fixed creation date so the same document renders the same. */
export function documentInstant(value: string): Date {
  const { year, month, day } = parseDocumentDate(value);
  return new Date(Date.UTC(year, month - 1, day));
}

/** Unicode characters outside Latin-1 that WinAnsiEncoding (Windows-1252) still has. */
const WIN_ANSI_EXTRAS = new Set(
  [0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e, 0x192, 0x2c6, 0x2dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c]
    .concat([0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122]),
);

/** Common characters the standard fonts lack, spelled with ones they have. */
const REPLACEMENTS: Record<string, string> = {
  "\u2010": "-", // hyphen
  "\u2011": "-", // non-breaking hyphen
  "\u2012": "–", // figure dash
  "\u2015": "—", // horizontal bar
  "\u2212": "-", // minus sign
  "\u2032": "'", // prime
  "\u2033": '"', // double prime
  "\u2190": "<-",
  "\u2192": "->",
  "\u2194": "<->",
  "\u21d2": "=>",
  "\u2248": "~",
  "\u2260": "!=",
  "\u2264": "<=",
  "\u2265": ">=",
  "\u221e": "infinity",
  "\u2713": "v",
  "\u2715": "x",
};

function isWinAnsi(code: number): boolean {
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(code);
}

/**
 * Text the PDF standard fonts can show: composed accents (é, è, à, ç stay as they are), every kind of space and line
 * break as a plain space, zero-width characters dropped, typographic symbols spelled out, accents the encoding lacks
 * stripped (ł stays "?", ő becomes "o"), anything else "?". pdfkit writes other characters as broken bytes.
 */
export function toWinAnsi(text: string): string {
  let out = "";
  for (const char of text.normalize("NFC")) {
    const code = char.codePointAt(0) ?? 0;
    if (/[\u200b-\u200d\u2060\ufeff\u00ad]/.test(char)) {
      // zero-width characters and soft hyphens: nothing to show
    } else if (isWinAnsi(code)) {
      out += char;
    } else if (REPLACEMENTS[char] !== undefined) {
      out += REPLACEMENTS[char];
    } else if (/\s/.test(char) || code < 0x20 || (code >= 0x7f && code < 0xa0)) {
      out += " ";
    } else {
      const stripped = char.normalize("NFD").replace(/\p{M}+/gu, "");
      out += stripped && [...stripped].every((c) => isWinAnsi(c.codePointAt(0) ?? 0)) ? stripped : "?";
    }
  }
  return out;
}

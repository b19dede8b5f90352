import { describe, expect, it } from "vitest";
import { localDate } from "@/lib/billing/calendar-date";
import { documentInstant, formatDocumentDate, formatPeriod, parseDocumentDate, toWinAnsi } from "@/lib/documents/document-text";
import { formatDate } from "@/lib/format";

describe("formatDocumentDate", () => {
  it("writes the screens' date format", () => {
    expect(formatDocumentDate("2026-11-25")).toBe("Nov 25, 2026");
    expect(formatDocumentDate("2026-01-01")).toBe("Jan 1, 2026");
    expect(formatDocumentDate("2024-02-29")).toBe("Feb 29, 2024");
    expect(formatDocumentDate("2026-12-31")).toBe("Dec 31, 2026");
  });

  it("prints the customer's day exactly as a screen shows the same instant in their timezone", () => {
    // 06:00 UTC on November 29 is already November 29 in Toronto, still November 28 in Vancouver.
    const instant = new Date("2026-11-29T06:00:00Z");
    for (const timeZone of ["America/Toronto", "America/Vancouver", "America/Halifax", "UTC"]) {
      expect(formatDocumentDate(localDate(instant, timeZone)), timeZone).toBe(formatDate(instant, timeZone));
    }
    expect(formatDocumentDate(localDate(instant, "America/Toronto"))).toBe("Nov 29, 2026");
    expect(formatDocumentDate(localDate(instant, "America/Vancouver"))).toBe("Nov 28, 2026");
  });

  it("reads the calendar date as written, whatever the process timezone", () => {
    // A Date parsed from "2026-01-01" is midnight UTC, which is December 31 west of Greenwich; the text is not.
    const before = process.env.TZ;
    process.env.TZ = "America/Vancouver";
    try {
      expect(formatDocumentDate("2026-01-01")).toBe("Jan 1, 2026");
    } finally {
      process.env.TZ = before;
    }
  });

  it("rejects impossible dates and other formats", () => {
    for (const bad of ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-5", "Nov 25, 2026", "2026-11-25T00:00:00Z"]) {
      expect(() => parseDocumentDate(bad), bad).toThrow(RangeError);
    }
  });
});

describe("formatPeriod", () => {
  it("joins both ends with an en dash", () => {
    expect(formatPeriod("2026-11-01", "2026-11-30")).toBe("Nov 1, 2026 – Nov 30, 2026");
  });

  it("handles an open end", () => {
    expect(formatPeriod("2026-11-01", null)).toBe("From Nov 1, 2026");
    expect(formatPeriod(null, "2026-11-30")).toBe("Until Nov 30, 2026");
    expect(formatPeriod(null, null)).toBeNull();
  });
});

describe("documentInstant", () => {
  it("is midnight UTC of the date", () => {
    expect(documentInstant("2026-11-25").toISOString()).toBe("2026-11-25T00:00:00.000Z");
  });
});

describe("toWinAnsi", () => {
  it("keeps French accents and WinAnsi punctuation", () => {
    const text = "Société Générale — Île-d'Orléans, façade « crème brûlée » 5 € … “quotes” Œuvre";
    expect(toWinAnsi(text)).toBe(text);
  });

  it("composes decomposed accents", () => {
    expect(toWinAnsi("Montre\u0301al")).toBe("Montréal");
  });

  it("replaces what the standard fonts cannot show", () => {
    expect(toWinAnsi("≤ 100 → ≥ 5")).toBe("<= 100 -> >= 5");
    expect(toWinAnsi("a\tb\nc\u202fd")).toBe("a b c d");
    expect(toWinAnsi("zero\u200bwidth\u00adsoft")).toBe("zerowidthsoft");
    expect(toWinAnsi("Łódź 中文 😀")).toBe("?ódz ?? ?");
    expect(toWinAnsi("Ő ő")).toBe("O o");
  });

  it("leaves only characters WinAnsi encodes", () => {
    const out = toWinAnsi("Ūnicode ∑ ∞ ✓ \u0007 \u0085 \u2028 x");
    for (const char of out) {
      const code = char.codePointAt(0) ?? 0;
      expect(code >= 0x20 && (code < 0x7f || code >= 0xa0), JSON.stringify(char)).toBe(true);
      expect(code <= 0xff || "ŒœŠšŸŽžƒˆ˜–—‘’‚“”„†‡•…‰‹›€™".includes(char), JSON.stringify(char)).toBe(true);
    }
  });
});

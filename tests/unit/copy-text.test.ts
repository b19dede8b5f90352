import { describe, expect, it } from "vitest";
import { COPY_NULL, CopyRows, copyInstant, copyJson, copyText } from "@/lib/db/copy-text";

describe("COPY text format", () => {
  it("escapes the four characters COPY reads specially, and nothing else", () => {
    expect(copyText("Plain — été ✓")).toBe("Plain — été ✓");
    expect(copyText("a\\b\tc\nd\re")).toBe("a\\\\b\\tc\\nd\\re");
    expect(copyText("\\N")).toBe("\\\\N");
    expect(copyText("")).toBe("");
    expect(copyText(null)).toBe(COPY_NULL);
    expect(copyText(undefined)).toBe(COPY_NULL);
  });

  it("writes documents as JSON with their backslashes escaped", () => {
    const value = { name: 'say "hi"\tnow\\then\n', nested: [1, null, "é"] };
    const field = copyJson(value);
    expect(field).not.toMatch(/[\t\n\r]/);
    // What COPY reads back: every \\ is one backslash.
    expect(JSON.parse(field.replace(/\\\\/g, "\\"))).toEqual(value);
    expect(copyJson(null)).toBe(COPY_NULL);
  });

  it("writes instants as ISO 8601", () => {
    expect(copyInstant(new Date("2026-11-01T04:00:00.123Z"))).toBe("2026-11-01T04:00:00.123Z");
    expect(copyInstant(null)).toBe(COPY_NULL);
  });

  it("collects rows as UTF-8, growing past its first buffer", () => {
    const rows = new CopyRows();
    expect(rows.isEmpty).toBe(true);
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const row = `${i}\t${copyText(`Forfait été ${"✓".repeat(i % 7)} 🍁`)}\n`;
      rows.add(row);
      expected.push(row);
    }
    expect(rows.isEmpty).toBe(false);
    expect(rows.data.toString("utf8")).toBe(expected.join(""));
    expect(rows.data.length).toBe(Buffer.byteLength(expected.join("")));
  });
});

import { describe, expect, it } from "vitest";
import { formatCount, formatDate, formatMoney } from "@/lib/format";

describe("formatMoney", () => {
  it("formats integer cents exactly in CAD", () => {
    expect(formatMoney(123456789n)).toBe("$1,234,567.89");
    expect(formatMoney(5)).toBe("$0.05");
    expect(formatMoney(0)).toBe("$0.00");
    expect(formatMoney(-1999)).toBe("-$19.99");
  });
  it("names a foreign currency", () => {
    expect(formatMoney(1000, "USD")).toBe("$10.00 USD");
    expect(formatMoney(1000, "EUR")).toBe("10.00 EUR");
  });
  it("never loses precision above 2^53", () => {
    expect(formatMoney(9007199254740993n)).toBe("$90,071,992,547,409.93");
  });
});

describe("formatDate", () => {
  it("renders a UTC instant in the customer's timezone", () => {
    const instant = "2026-01-01T03:00:00Z";
    expect(formatDate(instant, "America/Vancouver")).toBe("Dec 31, 2025");
    expect(formatDate(instant, "America/Toronto")).toBe("Dec 31, 2025");
    expect(formatDate(instant, "UTC")).toBe("Jan 1, 2026");
  });
});

describe("formatCount", () => {
  it("says one thing in the singular and any other count in the plural", () => {
    expect(formatCount(1, "plan")).toBe("1 plan");
    expect(formatCount(0, "invoice")).toBe("0 invoices");
    expect(formatCount(3, "account link")).toBe("3 account links");
    expect(formatCount(2, "entry", "entries")).toBe("2 entries");
  });
});

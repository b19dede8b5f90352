import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonthsClamped,
  assertTimeZone,
  compareDates,
  daysInclusive,
  daysInMonth,
  formatCalendarDate,
  isCalendarDate,
  isoWeekday,
  localDate,
  parseCalendarDate,
  startOfLocalDay,
} from "@/lib/billing/calendar-date";

describe("parseCalendarDate and formatCalendarDate", () => {
  it("round-trips valid dates", () => {
    expect(parseCalendarDate("2028-02-29")).toEqual({ year: 2028, month: 2, day: 29 });
    expect(formatCalendarDate({ year: 2026, month: 3, day: 8 })).toBe("2026-03-08");
  });

  it("rejects impossible or loosely written dates", () => {
    for (const text of ["2027-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01", "2026-01-01T00:00:00Z", ""]) {
      expect(() => parseCalendarDate(text), text).toThrow(RangeError);
      expect(isCalendarDate(text), text).toBe(false);
    }
    expect(isCalendarDate("2026-12-31")).toBe(true);
  });
});

describe("daysInMonth", () => {
  it("knows leap years, including the century rules", () => {
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2027, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
  });
});

describe("addDays", () => {
  it("crosses month, year and leap-day boundaries", () => {
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2027-12-31", 1)).toBe("2028-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-03-07", 2)).toBe("2026-03-09"); // across the Toronto DST change
  });
});

describe("addMonthsClamped", () => {
  it("falls back to the month's last day when the day does not exist", () => {
    expect(addMonthsClamped("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonthsClamped("2028-01-31", 1)).toBe("2028-02-29");
    expect(addMonthsClamped("2026-11-30", 3)).toBe("2027-02-28");
    expect(addMonthsClamped("2026-03-31", -1)).toBe("2026-02-28");
  });

  it("restores the anchor day after a short month", () => {
    expect(addMonthsClamped("2026-02-28", 1, 31)).toBe("2026-03-31");
    expect(addMonthsClamped("2026-02-28", 2, 30)).toBe("2026-04-30");
  });

  it("moves across years in both directions", () => {
    expect(addMonthsClamped("2026-01-15", -13)).toBe("2024-12-15");
    expect(addMonthsClamped("2026-12-15", 12)).toBe("2027-12-15");
  });
});

describe("compareDates and daysInclusive", () => {
  it("orders dates", () => {
    expect(compareDates("2026-01-01", "2026-01-02")).toBeLessThan(0);
    expect(compareDates("2026-01-02", "2026-01-02")).toBe(0);
    expect(compareDates("2027-01-01", "2026-12-31")).toBeGreaterThan(0);
  });

  it("counts both ends", () => {
    expect(daysInclusive("2026-01-01", "2026-01-31")).toBe(31);
    expect(daysInclusive("2028-02-01", "2028-02-29")).toBe(29);
    expect(daysInclusive("2026-03-01", "2026-03-31")).toBe(31); // a 743-hour month in Toronto is still 31 days
    expect(daysInclusive("2026-01-15", "2026-01-15")).toBe(1);
    expect(daysInclusive("2026-01-15", "2026-01-14")).toBe(0);
  });
});

describe("isoWeekday", () => {
  it("numbers Monday 1 to Sunday 7", () => {
    expect(isoWeekday("2026-01-05")).toBe(1);
    expect(isoWeekday("2026-01-01")).toBe(4);
    expect(isoWeekday("2026-01-04")).toBe(7);
  });
});

describe("localDate", () => {
  it("reads the calendar date in the customer's timezone", () => {
    const instant = new Date("2026-01-01T03:00:00Z");
    expect(localDate(instant, "America/Toronto")).toBe("2025-12-31");
    expect(localDate(instant, "America/Vancouver")).toBe("2025-12-31");
    expect(localDate(instant, "Asia/Tokyo")).toBe("2026-01-01");
    expect(localDate(instant, "UTC")).toBe("2026-01-01");
  });

  it("rejects an invalid instant or zone", () => {
    expect(() => localDate(new Date("nope"), "UTC")).toThrow(RangeError);
    expect(() => localDate(new Date(), "Mars/Olympus_Mons")).toThrow(RangeError);
    expect(() => assertTimeZone("Not/AZone")).toThrow(RangeError);
    expect(() => assertTimeZone("America/St_Johns")).not.toThrow();
  });
});

describe("startOfLocalDay", () => {
  it("converts local midnight to UTC on both sides of the Toronto spring change", () => {
    expect(startOfLocalDay("2026-03-08", "America/Toronto").toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(startOfLocalDay("2026-03-09", "America/Toronto").toISOString()).toBe("2026-03-09T04:00:00.000Z");
  });

  it("converts local midnight to UTC on both sides of the Toronto autumn change", () => {
    expect(startOfLocalDay("2026-11-01", "America/Toronto").toISOString()).toBe("2026-11-01T04:00:00.000Z");
    expect(startOfLocalDay("2026-11-02", "America/Toronto").toISOString()).toBe("2026-11-02T05:00:00.000Z");
  });

  it("handles half-hour and fractional offsets", () => {
    expect(startOfLocalDay("2026-01-01", "Asia/Kolkata").toISOString()).toBe("2025-12-31T18:30:00.000Z");
    expect(startOfLocalDay("2026-07-01", "America/St_Johns").toISOString()).toBe("2026-07-01T02:30:00.000Z");
  });

  it("starts a day whose midnight is skipped at its first real instant", () => {
    // Chile springs forward at midnight: 2025-09-07 begins at 01:00 local (UTC−3).
    expect(startOfLocalDay("2025-09-07", "America/Santiago").toISOString()).toBe("2025-09-07T04:00:00.000Z");
    expect(startOfLocalDay("2026-03-29", "Asia/Beirut").toISOString()).toBe("2026-03-28T22:00:00.000Z");
  });

  it("refuses a date the zone skipped entirely", () => {
    // Samoa moved across the date line: 2011-12-30 never happened in Apia.
    expect(() => startOfLocalDay("2011-12-30", "Pacific/Apia")).toThrow(RangeError);
    expect(startOfLocalDay("2011-12-31", "Pacific/Apia").toISOString()).toBe("2011-12-30T10:00:00.000Z");
  });

  it("is the first instant whose local date is that date", () => {
    const start = startOfLocalDay("2026-11-01", "America/Toronto");
    expect(localDate(start, "America/Toronto")).toBe("2026-11-01");
    expect(localDate(new Date(start.getTime() - 1), "America/Toronto")).toBe("2026-10-31");
  });
});

import { describe, expect, it } from "vitest";
import { progressiveDelta, progressiveLineKey, type BilledSoFar } from "@/lib/invoicing/progressive-billing";
import { currentUsageWindow } from "@/lib/usage/current-usage";
import { unbilledTaxedUsage } from "@/lib/wallets/ongoing-balance";

const line = (chargeId: string, amountCents: number, quantity: string, filter?: unknown) => ({ chargeId, amountCents: BigInt(amountCents), quantity, details: filter === undefined ? {} : { filter } });
const billed = (entries: [string, number, string][]) => new Map<string, BilledSoFar>(entries.map(([key, cents, quantity]) => [key, { amountCents: BigInt(cents), quantity }]));

describe("progressive billing: what is left to bill", () => {
  it("a plan override's charge (new id, parentId = the original) nets what the original charge already billed", () => {
    const rootOf = (id: string) => (id === "child" ? "parent" : id);
    const before = billed([[progressiveLineKey("parent", undefined), 6000, "60"]]);
    const delta = progressiveDelta([line("child", 9000, "90")], before, rootOf);
    expect(delta.map((d) => [d.line.chargeId, d.amountCents, d.quantity])).toEqual([["child", BigInt(3000), "30"]]);
    // Already billed in full: nothing again.
    expect(progressiveDelta([line("child", 6000, "60")], before, rootOf)).toEqual([]);
  });

  it("each filter bucket of a charge nets only what was billed for that bucket (values in any key order)", () => {
    const before = billed([
      [progressiveLineKey("c", { index: 0, values: { region: ["eu"], cloud: ["aws"] } }), 5000, "50"],
      [progressiveLineKey("c", "default"), 1000, "10"],
    ]);
    const lines = [
      line("c", 7000, "70", { values: { cloud: ["aws"], region: ["eu"] }, index: 0 }),
      line("c", 4000, "40", { index: 1, values: { region: ["us"] } }),
      line("c", 1000, "10", "default"),
    ];
    const delta = progressiveDelta(lines, before, (id) => id);
    expect(delta.map((d) => [d.amountCents, d.quantity])).toEqual([[BigInt(2000), "20"], [BigInt(4000), "40"]]);
  });
});

describe("the usage window current_usage, the usage monitor and the close share", () => {
  const base = { billingTime: "calendar" as const, billingAnchorDate: new Date("2026-01-01T05:00:00Z") };
  it("with bill_charges_monthly on a yearly plan, it is the month, from the start of the first local day", () => {
    // Started (and subscribed) mid-day on 2026-03-10 in Toronto; a yearly calendar plan billing charges monthly.
    const startedAt = new Date("2026-03-10T15:30:00Z");
    const sub = { ...base, subscriptionAt: startedAt, startedAt, plan: { interval: "yearly" as const, billChargesMonthly: true } };
    const w = currentUsageWindow(sub, "America/Toronto", new Date("2026-03-20T12:00:00Z"))!;
    expect(w.period).toEqual({ start: new Date("2026-03-01T05:00:00Z"), end: new Date("2026-04-01T04:00:00Z") });
    expect(w.start).toEqual(new Date("2026-03-10T04:00:00Z"));
    const later = currentUsageWindow(sub, "America/Toronto", new Date("2026-05-02T12:00:00Z"))!;
    expect(later.start).toEqual(new Date("2026-05-01T04:00:00Z"));
    expect(later.end).toEqual(new Date("2026-06-01T04:00:00Z"));
  });

  it("without it, the plan's period", () => {
    const startedAt = new Date("2026-03-10T15:30:00Z");
    const sub = { ...base, subscriptionAt: new Date("2026-03-01T05:00:00Z"), startedAt, plan: { interval: "yearly" as const, billChargesMonthly: false } };
    const w = currentUsageWindow(sub, "America/Toronto", new Date("2026-03-20T12:00:00Z"))!;
    expect(w.period.end).toEqual(new Date("2027-01-01T05:00:00Z"));
    expect(w.start).toEqual(startedAt);
  });
});

describe("wallet ongoing balance: usage not yet billed progressively", () => {
  it("nets the progressive invoices' pre-tax amount and its share of the tax", () => {
    expect(unbilledTaxedUsage(BigInt(10000), BigInt(1300), BigInt(0))).toBe(BigInt(11300));
    expect(unbilledTaxedUsage(BigInt(10000), BigInt(1300), BigInt(6000))).toBe(BigInt(4520));
    expect(unbilledTaxedUsage(BigInt(10000), BigInt(1300), BigInt(10000))).toBe(BigInt(0));
    expect(unbilledTaxedUsage(BigInt(333), BigInt(43), BigInt(111))).toBe(BigInt(222 + 29));
  });
});

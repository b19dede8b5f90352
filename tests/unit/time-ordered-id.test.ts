import { describe, expect, it } from "vitest";
import { timeOrderedId } from "@/lib/db/time-ordered-id";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("timeOrderedId", () => {
  it("is a UUIDv7 carrying the millisecond it was made", () => {
    const at = Date.UTC(2026, 0, 1, 16, 20, 0, 123); // earlier than the ids the other tests make (the counter follows the latest)
    const id = timeOrderedId(at);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it("sorts in the order ids were made, within a millisecond and across them, and never repeats", () => {
    const ids: string[] = [];
    const start = Date.now();
    for (let i = 0; i < 20_000; i++) ids.push(timeOrderedId(start + Math.floor(i / 5000)));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("keeps counting when the clock steps back or more ids are made in a millisecond than the counter holds", () => {
    const at = Date.now() + 60_000;
    const ids = [timeOrderedId(at), ...Array.from({ length: 5000 }, () => timeOrderedId(at)), timeOrderedId(at - 10_000)];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
  });

  it("ends in the variant and 62 random bits: a thousand ids differ there", () => {
    const tails = Array.from({ length: 1000 }, (_, i) => timeOrderedId(Date.UTC(2030, 0, 1) + i * 10).slice(19));
    expect(tails.every((tail) => /^[89ab]/.test(tail))).toBe(true);
    expect(new Set(tails).size).toBe(1000);
  });
});

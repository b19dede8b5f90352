import { describe, expect, it } from "vitest";
import { listArray, uuidArray } from "@/lib/db/sql";

describe("lists sent as one text parameter", () => {
  it("spells instants in ISO 8601, flags as t/f and nulls as the word null, so a lone null is still one element", () => {
    const instants = listArray([new Date("2026-11-01T04:00:00Z"), null], "timestamptz");
    expect(instants.values).toEqual(["2026-11-01T04:00:00.000Z,null"]);
    expect(instants.sql).toBe("string_to_array(?, ',', 'null')::timestamptz[]");
    expect(listArray([null], "timestamptz").values).toEqual(["null"]);
    expect(listArray([], "timestamptz").values).toEqual([""]);
    expect(listArray([true, false], "boolean").values).toEqual(["t,f"]);
    expect(uuidArray(["a", "b"]).values).toEqual(["a,b"]);
  });
});

import { describe, expect, it } from "vitest";
import { flagArray, instantArray, uuidArray } from "@/lib/db/sql";

describe("lists sent as one text parameter", () => {
  it("spells instants in ISO 8601, flags as t/f and nulls as the word null, so a lone null is still one element", () => {
    const instants = instantArray([new Date("2026-11-01T04:00:00Z"), null]);
    expect(instants.values).toEqual(["2026-11-01T04:00:00.000Z,null"]);
    expect(instants.sql).toBe("string_to_array(?, ',', 'null')::timestamptz[]");
    expect(instantArray([null]).values).toEqual(["null"]);
    expect(instantArray([]).values).toEqual([""]);
    expect(flagArray([true, false, null]).values).toEqual(["t,f,null"]);
    expect(uuidArray(["a", "b"]).values).toEqual(["a,b"]);
  });
});

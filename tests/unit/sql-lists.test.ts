import { describe, expect, it } from "vitest";
import { Prisma } from "@/lib/generated/prisma/client";
import { flagArray, instantArray, statementNamedByText, uuidArray } from "@/lib/db/sql";

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

describe("statements named after their text", () => {
  it("gives one name per shape, whatever the values, and passes the values through", () => {
    const shape = (id: string, withLast: boolean) => Prisma.sql`SELECT ${id}::uuid AS id${withLast ? Prisma.sql`, ${1} AS last` : Prisma.empty}`;
    const a = statementNamedByText(shape("00000000-0000-0000-0000-000000000001", false));
    const b = statementNamedByText(shape("00000000-0000-0000-0000-000000000002", false));
    const c = statementNamedByText(shape("00000000-0000-0000-0000-000000000001", true));
    expect(a.name).toMatch(/^shape_[0-9a-f]{32}$/);
    expect(b.name).toBe(a.name);
    expect(c.name).not.toBe(a.name);
    expect(a.text).toBe("SELECT $1::uuid AS id");
    expect(b.values).toEqual(["00000000-0000-0000-0000-000000000002"]);
    expect(c.values).toEqual(["00000000-0000-0000-0000-000000000001", 1]);
  });
});

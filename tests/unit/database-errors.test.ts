import { describe, expect, it } from "vitest";
import { isRetryableConflict, isSchemaError, isUniqueViolation } from "@/lib/errors";

describe("database errors", () => {
  it("tells schema errors (SQLSTATE class 42) from errors of the rows", () => {
    // node-postgres: SET CONSTRAINTS on a key that is not deferrable (migration not applied), an unknown column.
    expect(isSchemaError(Object.assign(new Error('constraint "InvoiceLine_invoiceId_fkey" is not deferrable'), { code: "42809" }))).toBe(true);
    expect(isSchemaError({ code: "42703" })).toBe(true);
    // Through Prisma: the database's code in meta or cause.
    expect(isSchemaError({ code: "P2010", meta: { code: "42P01" } })).toBe(true);
    expect(isSchemaError({ cause: { code: "42501" } })).toBe(true);
    // Rows, not the schema: a duplicate, a bad value, a deadlock, a domain error code, nothing at all.
    expect(isSchemaError({ code: "23505" })).toBe(false);
    expect(isSchemaError({ code: "22P02" })).toBe(false);
    expect(isSchemaError({ code: "40P01" })).toBe(false);
    expect(isSchemaError({ code: "tax_not_computable" })).toBe(false);
    expect(isSchemaError(null)).toBe(false);
    expect(isUniqueViolation({ code: "23505" })).toBe(true);
    expect(isRetryableConflict({ code: "40P01" })).toBe(true);
  });
});

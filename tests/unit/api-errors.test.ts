import { describe, expect, it } from "vitest";
import { ApiError, handleApiErrors, notFound, validationError } from "@/lib/api/errors";

describe("Lago-shaped errors", () => {
  it("renders 404 with the resource code", async () => {
    const res = await handleApiErrors(async () => {
      throw notFound("customer");
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ status: 404, error: "Not Found", code: "customer_not_found" });
  });
  it("renders 422 validation errors with field details", () => {
    expect(validationError({ external_id: ["value_is_mandatory"] }).toBody()).toEqual({
      status: 422,
      error: "Unprocessable Entity",
      code: "validation_errors",
      error_details: { external_id: ["value_is_mandatory"] },
    });
  });
  it("puts the message into a 400's error text as Lago does", () => {
    expect(new ApiError(400, undefined, undefined, "param is missing or the value is empty or invalid: customer").toBody()).toEqual({
      status: 400,
      error: "BadRequest: param is missing or the value is empty or invalid: customer",
    });
  });
  it("never leaks an unexpected error", async () => {
    const original = console.error;
    console.error = () => {};
    try {
      const res = await handleApiErrors(async () => {
        throw new Error("connection string postgres://secret@db");
      });
      expect(res.status).toBe(500);
      expect(JSON.stringify(await res.json())).not.toContain("secret");
    } finally {
      console.error = original;
    }
  });
});

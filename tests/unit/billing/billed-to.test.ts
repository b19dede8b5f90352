import { describe, expect, it } from "vitest";
import { BILLED_TO_FIELDS, billedToOf, type BilledTo } from "@/lib/invoicing/billed-to";

describe("billedToOf", () => {
  it("keeps exactly the snapshot's fields, in the order its SQL twin (billedToSql) writes them", () => {
    const customer = {
      taxExemptionNumber: null, email: "ap@example.ca", legalName: "Québec Inc.", country: "CA", province: "QC", city: "Montréal", postalCode: "H2X 1Y4",
      addressLine1: "1 rue du Port", addressLine2: null, taxIdentificationNumber: "123", id: "not kept", creditBalanceCents: 5n,
    } as BilledTo & { id: string; creditBalanceCents: bigint };
    const snapshot = billedToOf(customer);
    expect(Object.keys(snapshot)).toEqual([...BILLED_TO_FIELDS]);
    for (const field of BILLED_TO_FIELDS) expect(snapshot[field]).toBe(customer[field]);
  });
});

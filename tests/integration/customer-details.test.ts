import { beforeAll, describe, expect, it } from "vitest";
import { staffActor } from "@/lib/audit/audit-log";
import { findCustomerDetails, updateCustomerDetails } from "@/lib/customers/customer-details";
import { testDb, uniqueSuffix } from "../support/api-fixture";
import { domainRefusal, seededStaffId } from "../support/domain-fixture";

const db = testDb;
let staffId: string;

beforeAll(async () => {
  staffId = await seededStaffId();
});

describe("customer details", () => {
  it("lists the live account links and updates the customer's own fields, audited as the staff member's", async () => {
    const s = uniqueSuffix();
    const service = await db().service.create({ data: { code: `details_${s}`, name: "Test details" } });
    const customer = await db().customer.create({ data: { legalName: "Old Name Ltd." } });
    await db().accountLink.create({ data: { serviceId: service.id, externalId: `live-${s}`, customerId: customer.id } });
    await db().accountLink.create({ data: { serviceId: service.id, externalId: `ended-${s}`, customerId: customer.id, deletedAt: new Date() } });

    const details = await updateCustomerDetails(db(), customer.id, {
      legalName: "New Name Ltd.", province: "QC", city: "Montréal", currency: "USD", timezone: "America/Montreal", taxExempt: true, taxExemptionNumber: "EX-1",
    }, staffActor(staffId));
    expect(details).toMatchObject({ legalName: "New Name Ltd.", province: "QC", currency: "USD", taxExempt: true, taxExemptionNumber: "EX-1" });
    expect(details.accountLinks.map((l) => l.externalId)).toEqual([`live-${s}`]);
    expect((await findCustomerDetails(db(), customer.id))?.city).toBe("Montréal");
    expect(await db().auditLog.findFirst({ where: { entityId: customer.id, action: "customer.updated" } })).toMatchObject({ actorType: "staff", actorId: staffId });
  });

  it("refuses a tax exemption without its number and a currency change once the customer is billed, changing nothing", async () => {
    const service = await db().service.create({ data: { code: `details_${uniqueSuffix()}`, name: "Test details" } });
    const customer = await db().customer.create({ data: { legalName: "Billed Inc." } });
    const exemption = await domainRefusal(updateCustomerDetails(db(), customer.id, { taxExempt: true, taxExemptionNumber: null }, staffActor(staffId)));
    expect(exemption.details).toEqual({ tax_exemption_number: ["value_is_mandatory"] });

    const start = new Date("2026-01-01T00:00:00Z");
    await db().invoice.create({ data: { customerId: customer.id, serviceId: service.id, periodStart: start, periodEnd: start } });
    const currency = await domainRefusal(updateCustomerDetails(db(), customer.id, { currency: "USD", city: "Ottawa" }, staffActor(staffId)));
    expect(currency.details).toEqual({ currency: ["currencies_does_not_match"] });
    expect(await db().customer.findUniqueOrThrow({ where: { id: customer.id } })).toMatchObject({ currency: "CAD", city: null, taxExempt: false });
  });

  it("finds no details for a merged (deleted) customer", async () => {
    const customer = await db().customer.create({ data: { legalName: "Gone Ltd.", deletedAt: new Date() } });
    expect(await findCustomerDetails(db(), customer.id)).toBeNull();
    expect((await domainRefusal(updateCustomerDetails(db(), customer.id, { city: "Halifax" }, staffActor(staffId)))).kind).toBe("not_found");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { staffActor } from "@/lib/audit/audit-log";
import { findMergeCandidates, mergeCustomers } from "@/lib/customers/merge-customers";
import { testDb, uniqueSuffix } from "../support/api-fixture";
import { domainRefusal, seededStaffId } from "../support/domain-fixture";

const db = testDb;
const MONTH_START = new Date("2026-01-01T00:00:00Z");
const MONTH_END = new Date("2026-02-01T00:00:00Z");

let staffId: string;
let serviceA: string;
let serviceB: string;

beforeAll(async () => {
  staffId = await seededStaffId();
  const s = uniqueSuffix();
  serviceA = (await db().service.create({ data: { code: `merge_a_${s}`, name: "Test merge A" } })).id;
  serviceB = (await db().service.create({ data: { code: `merge_b_${s}`, name: "Test merge B" } })).id;
});

async function customer(fields: { email?: string | null; taxIdentificationNumber?: string | null; currency?: string; creditBalanceCents?: bigint; stripeCustomerId?: string }) {
  return db().customer.create({ data: { legalName: `Customer ${uniqueSuffix()}`, ...fields } });
}

async function invoiceFor(customerId: string, currency = "CAD") {
  return db().invoice.create({ data: { customerId, serviceId: serviceA, periodStart: MONTH_START, periodEnd: MONTH_END, currency } });
}

async function subscriptionFor(customerId: string) {
  return db().subscription.create({
    data: { externalId: `sub_${uniqueSuffix()}`, customerId, serviceId: serviceA, billingAnchorDate: MONTH_START, subscriptionAt: MONTH_START },
  });
}

describe("findMergeCandidates", () => {
  it("finds other live customers with the same e-mail, ignoring case, or the same tax number, ignoring spaces", async () => {
    const s = uniqueSuffix();
    const target = await customer({ email: `ap-${s}@acme.example`, taxIdentificationNumber: `12345 ${s} RT0001` });
    const byEmail = await customer({ email: `AP-${s}@Acme.Example` });
    const byTax = await customer({ email: `other-${s}@acme.example`, taxIdentificationNumber: `12345${s}RT0001` });
    const gone = await customer({ email: `ap-${s}@acme.example` });
    await db().customer.update({ where: { id: gone.id }, data: { deletedAt: new Date() } });
    await customer({ email: `someone-${s}@acme.example` });

    const candidates = await findMergeCandidates(db(), target.id);
    expect(candidates.map((c) => [c.customer.id, c.reasons])).toEqual([
      [byEmail.id, ["email"]],
      [byTax.id, ["tax_identification_number"]],
    ]);
  });

  it("finds nothing for a customer with neither e-mail nor tax number", async () => {
    const target = await customer({ email: null });
    expect(await findMergeCandidates(db(), target.id)).toEqual([]);
  });
});

describe("mergeCustomers", () => {
  it("moves every row of the other customer in one transaction, soft-deletes it and records who merged", async () => {
    const s = uniqueSuffix();
    const target = await customer({ email: `billing-${s}@maple.example`, creditBalanceCents: BigInt(100) });
    const source = await customer({ email: `Billing-${s}@MAPLE.example`, creditBalanceCents: BigInt(500), stripeCustomerId: `cus_${s}` });

    const targetLink = await db().accountLink.create({ data: { serviceId: serviceA, externalId: `t-${s}`, customerId: target.id } });
    const links = await Promise.all([
      db().accountLink.create({ data: { serviceId: serviceB, externalId: `s1-${s}`, customerId: source.id } }),
      db().accountLink.create({ data: { serviceId: serviceA, externalId: `s2-${s}`, customerId: source.id } }),
      db().accountLink.create({ data: { serviceId: serviceB, externalId: `old-${s}`, customerId: source.id, deletedAt: new Date() } }),
    ]);
    const subscription = await subscriptionFor(source.id);
    const invoice = await invoiceFor(source.id);
    const creditNote = await db().creditNote.create({ data: { invoiceId: invoice.id, customerId: source.id, kind: "credit", reason: "order_change" } });
    const payment = await db().payment.create({ data: { invoiceId: invoice.id, customerId: source.id, amountCents: BigInt(1130), idempotencyKey: `pay-${s}` } });
    const reconciliation = await db().reconciliation.create({ data: { serviceId: serviceB, customerId: source.id, period: "2026-01", status: "match" } });
    // Same month, other service: no clash.
    await db().reconciliation.create({ data: { serviceId: serviceA, customerId: target.id, period: "2026-01", status: "match" } });

    const result = await mergeCustomers(db(), { targetId: target.id, sourceId: source.id, actor: staffActor(staffId) });

    expect(result.moved).toEqual({ accountLinks: 3, subscriptions: 1, invoices: 1, creditNotes: 1, payments: 1, reconciliations: 1 });
    for (const link of [...links, targetLink]) {
      expect((await db().accountLink.findUniqueOrThrow({ where: { id: link.id } })).customerId).toBe(target.id);
    }
    expect((await db().subscription.findUniqueOrThrow({ where: { id: subscription.id } })).customerId).toBe(target.id);
    expect((await db().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).customerId).toBe(target.id);
    expect((await db().creditNote.findUniqueOrThrow({ where: { id: creditNote.id } })).customerId).toBe(target.id);
    expect((await db().payment.findUniqueOrThrow({ where: { id: payment.id } })).customerId).toBe(target.id);
    expect((await db().reconciliation.findUniqueOrThrow({ where: { id: reconciliation.id } })).customerId).toBe(target.id);
    for (const model of ["accountLink", "subscription", "invoice", "creditNote", "payment", "reconciliation"] as const) {
      expect(await (db()[model] as unknown as { count(args: object): Promise<number> }).count({ where: { customerId: source.id } })).toBe(0);
    }

    const mergedSource = await db().customer.findUniqueOrThrow({ where: { id: source.id } });
    expect(mergedSource.deletedAt).toBeInstanceOf(Date);
    expect(mergedSource.creditBalanceCents).toBe(BigInt(0));
    expect(mergedSource.stripeCustomerId).toBeNull();
    const kept = await db().customer.findUniqueOrThrow({ where: { id: target.id } });
    expect(kept.deletedAt).toBeNull();
    expect(kept.creditBalanceCents).toBe(BigInt(600));
    expect(kept.stripeCustomerId).toBe(`cus_${s}`);
    expect(kept.email).toBe(`billing-${s}@maple.example`);

    const audit = await db().auditLog.findMany({ where: { entityType: "Customer", entityId: target.id, action: "customer.merged" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: "staff", actorId: staffId });
    expect(audit[0].data).toMatchObject({ sourceId: source.id, movedCreditBalanceCents: "500", moved: result.moved });

    expect(await findMergeCandidates(db(), target.id)).toEqual([]);
    // Merging the same customer again finds it gone.
    expect((await domainRefusal(mergeCustomers(db(), { targetId: target.id, sourceId: source.id, actor: staffActor(staffId) }))).kind).toBe("not_found");
  });

  it("refuses customers with different currencies that both have subscriptions or invoices, and changes nothing", async () => {
    const s = uniqueSuffix();
    const target = await customer({ email: `ap-${s}@boreal.example`, currency: "CAD" });
    const source = await customer({ email: `ap-${s}@boreal.example`, currency: "USD" });
    await subscriptionFor(target.id);
    const invoice = await invoiceFor(source.id, "USD");
    const link = await db().accountLink.create({ data: { serviceId: serviceB, externalId: `usd-${s}`, customerId: source.id } });

    const error = await domainRefusal(mergeCustomers(db(), { targetId: target.id, sourceId: source.id, actor: staffActor(staffId) }));
    expect(error).toMatchObject({ kind: "conflict", code: "currencies_does_not_match" });
    expect(error.message).toMatch(/billed in CAD .* in USD/);

    expect((await db().customer.findUniqueOrThrow({ where: { id: source.id } })).deletedAt).toBeNull();
    expect((await db().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).customerId).toBe(source.id);
    expect((await db().accountLink.findUniqueOrThrow({ where: { id: link.id } })).customerId).toBe(source.id);
    expect(await db().auditLog.count({ where: { entityId: target.id, action: "customer.merged" } })).toBe(0);
  });

  it("takes the other customer's currency when only that one has money in it", async () => {
    const s = uniqueSuffix();
    const target = await customer({ email: `ap-${s}@kelp.example`, currency: "CAD" });
    const source = await customer({ email: `ap-${s}@kelp.example`, currency: "USD" });
    await invoiceFor(source.id, "USD");
    await mergeCustomers(db(), { targetId: target.id, sourceId: source.id, actor: staffActor(staffId) });
    expect((await db().customer.findUniqueOrThrow({ where: { id: target.id } })).currency).toBe("USD");
  });

  it("refuses a merge into itself, customers sharing nothing, and two reconciliations of one service and month", async () => {
    const s = uniqueSuffix();
    const target = await customer({ email: `ap-${s}@one.example` });
    const stranger = await customer({ email: `ap-${s}@two.example` });
    const actor = staffActor(staffId);
    expect((await domainRefusal(mergeCustomers(db(), { targetId: target.id, sourceId: target.id, actor }))).details).toEqual({ source_customer_id: ["cannot_merge_into_itself"] });
    expect((await domainRefusal(mergeCustomers(db(), { targetId: target.id, sourceId: stranger.id, actor }))).code).toBe("not_a_merge_candidate");

    const twin = await customer({ email: `ap-${s}@one.example` });
    await db().reconciliation.create({ data: { serviceId: serviceA, customerId: target.id, period: "2026-03", status: "match" } });
    await db().reconciliation.create({ data: { serviceId: serviceA, customerId: twin.id, period: "2026-03", status: "delta" } });
    const clash = await domainRefusal(mergeCustomers(db(), { targetId: target.id, sourceId: twin.id, actor }));
    expect(clash.code).toBe("reconciliation_conflict");
    expect(clash.message).toContain("2026-03");
    expect((await db().customer.findUniqueOrThrow({ where: { id: twin.id } })).deletedAt).toBeNull();
  });

  it("lets only one of two opposite merges of the same pair happen", async () => {
    const s = uniqueSuffix();
    const a = await customer({ email: `race-${s}@example.com` });
    const b = await customer({ email: `race-${s}@example.com` });
    const actor = staffActor(staffId);
    const outcomes = await Promise.allSettled([
      mergeCustomers(db(), { targetId: a.id, sourceId: b.id, actor }),
      mergeCustomers(db(), { targetId: b.id, sourceId: a.id, actor }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const live = await db().customer.count({ where: { id: { in: [a.id, b.id] }, deletedAt: null } });
    expect(live).toBe(1);
  });
});

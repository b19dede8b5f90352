import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { BillingFailure } from "./billing-run";

/**
 * One customer's bad data must never block anyone's billing. A group the period close cannot bill — a customer that
 * cannot be taxed, usage too large to store, a subscription dated before billing existed — is quarantined here with
 * its reason. Later runs skip it (they do not fail on it again and again); the console lists it with how to fix it, and
 * staff release it once the data is fixed, so the next run bills it.
 */

/** Boundaries before this are not billing dates but bad data (a 1970 start would otherwise issue decades of invoices). */
export const EARLIEST_BILLABLE_BOUNDARY = new Date("2000-01-01T00:00:00Z");

const FIXES: Record<string, string> = {
  tax_not_computable: "Give the customer a country and, in Canada, a province (Customers → the customer → Details), then release.",
  implausible_billing_date: "The subscription's billing date is before 2000: correct its start date in the app that owns it (or terminate the subscription), then release.",
  value_out_of_range: "A usage value or price in this group is too large to bill: correct or remove that usage (or the charge), then release.",
  internal_error: "Something in this group's data could not be billed (see the reason): correct it, then release to try again on the next run.",
};

export function howToFix(code: string): string {
  return FIXES[code] ?? "Correct the data the reason names, then release: the next billing run bills the group again.";
}

/** The failure as staff should read it: database overflows and the like name the problem, not the driver. */
export function classifyFailure(failure: BillingFailure): BillingFailure {
  if (failure.code === "internal_error" && /numeric field overflow|out of range|Infinity|NaN/i.test(failure.error)) {
    return { ...failure, code: "value_out_of_range", error: `A value is too large to bill (${failure.error.split("\n")[0].slice(0, 200)})` };
  }
  return { ...failure, error: failure.error.split("\n")[0].slice(0, 500) };
}

/** Records the run's failures as quarantined groups (one row per group and boundary; a repeat counts an attempt). */
export async function quarantineFailures(client: Db | Prisma.TransactionClient, failures: BillingFailure[], billingRunId: string | null, now = new Date()): Promise<void> {
  for (const raw of failures) {
    const failure = classifyFailure(raw);
    const key = { customerId: failure.customerId, serviceId: failure.serviceId, shadow: failure.shadow ?? false, boundary: new Date(failure.boundary) };
    await client.billingQuarantine.upsert({
      where: { customerId_serviceId_shadow_boundary: key },
      create: { ...key, code: failure.code, reason: failure.error, billingRunId, firstSeenAt: now, lastSeenAt: now },
      update: { code: failure.code, reason: failure.error, billingRunId, lastSeenAt: now, attempts: { increment: 1 }, releasedAt: null, releasedById: null },
    });
  }
}

/** Staff release a quarantined group after fixing its data: the next run bills it (or quarantines it again). */
export async function releaseQuarantine(client: Db, id: string, staffId: string, now = new Date()) {
  const row = await client.billingQuarantine.findUnique({ where: { id } });
  if (!row) throw new DomainError("not_found", "quarantine_not_found", undefined, "This quarantined group no longer exists.");
  if (row.releasedAt) return row;
  const released = await client.billingQuarantine.update({ where: { id }, data: { releasedAt: now, releasedById: staffId } });
  await client.auditLog.create({ data: { actorType: "staff", actorId: staffId, action: "billing_quarantine.released", entityType: "BillingQuarantine", entityId: id, data: { code: row.code } } });
  return released;
}

/** Groups waiting for staff (not released), newest first, with the customer's and service's names. */
export async function listQuarantine(client: Db) {
  const rows = await client.billingQuarantine.findMany({ where: { releasedAt: null }, orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }], take: 200 });
  const [customers, services] = await Promise.all([
    client.customer.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.customerId))] } }, select: { id: true, legalName: true } }),
    client.service.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.serviceId))] } }, select: { id: true, name: true } }),
  ]);
  const customerName = new Map(customers.map((c) => [c.id, c.legalName]));
  const serviceName = new Map(services.map((s) => [s.id, s.name]));
  return rows.map((r) => ({ ...r, customerName: customerName.get(r.customerId) ?? r.customerId, serviceName: serviceName.get(r.serviceId) ?? r.serviceId, fix: howToFix(r.code) }));
}

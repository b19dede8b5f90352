import { uuidArray } from "@/lib/db/sql";
import type { Prisma } from "@/lib/generated/prisma/client";
import { releaseCoupons, type CouponConsumption, type CouponState } from "./coupon-discounts";

/**
 * The applied coupons' state as invoices read and change it, in the caller's transaction. Rows are locked (in id
 * order, so two closes never deadlock on them) for as long as the transaction runs: two invoices of one customer and
 * service composed at once cannot both take the same remainder.
 */
export type CouponBook = Map<string, CouponState[]>;

export const couponBookKey = (customerId: string, serviceId: string) => `${customerId}:${serviceId}`;

interface AppliedRow {
  id: string;
  customerId: string;
  serviceId: string;
  couponType: "fixed_amount" | "percentage";
  code: string;
  name: string;
  amountCents: bigint | null;
  amountCentsRemaining: bigint | null;
  percentageRate: string | null;
  frequency: "once" | "recurring" | "forever";
  frequencyDurationRemaining: number | null;
  status: "active" | "terminated";
  createdAt: Date;
  planIds: string[] | null;
  couponDeleted: boolean;
}

/**
 * Locks and loads the applied coupons of these customer/service pairs: the active ones, plus any `extraIds` (those an
 * invoice being refreshed used up, which its release brings back).
 */
export async function loadCouponBook(tx: Prisma.TransactionClient, pairs: { customerId: string; serviceId: string }[], extraIds: string[] = []): Promise<CouponBook> {
  const book: CouponBook = new Map();
  if (pairs.length === 0 && extraIds.length === 0) return book;
  const rows = await tx.$queryRaw<AppliedRow[]>`
    SELECT a.id, a."customerId", a."serviceId", c."couponType"::text AS "couponType", c.code, c.name, a."amountCents", a."amountCentsRemaining",
           a."percentageRate"::text AS "percentageRate", a.frequency::text AS frequency, a."frequencyDurationRemaining", a.status::text AS status,
           a."createdAt", c."deletedAt" IS NOT NULL AS "couponDeleted", (SELECT array_agg(cp."planId"::text ORDER BY cp."planId") FROM "CouponPlan" cp WHERE cp."couponId" = c.id) AS "planIds"
      FROM "AppliedCoupon" a JOIN "Coupon" c ON c.id = a."couponId"
     WHERE (a.status = 'active'
            AND (a."customerId", a."serviceId") IN (SELECT * FROM unnest(${uuidArray(pairs.map((p) => p.customerId))}, ${uuidArray(pairs.map((p) => p.serviceId))})))
        OR a.id = ANY(${uuidArray(extraIds)})
     ORDER BY a.id
       FOR UPDATE OF a`;
  for (const row of rows) {
    const key = couponBookKey(row.customerId, row.serviceId);
    const state: CouponState = {
      appliedCouponId: row.id, code: row.code, name: row.name, kind: row.couponType, amountCents: row.amountCents, amountCentsRemaining: row.amountCentsRemaining,
      percentageRate: row.percentageRate, frequency: row.frequency, frequencyDurationRemaining: row.frequencyDurationRemaining, planIds: row.planIds ?? [],
      status: row.status, createdAt: row.createdAt, couponDeleted: row.couponDeleted,
    };
    (book.get(key) ?? book.set(key, []).get(key)!).push(state);
  }
  return book;
}

/** Writes invoices' coupon consumption (InvoiceCoupon rows) and the applied coupons' new state, in two statements. */
export async function recordCouponConsumption(tx: Prisma.TransactionClient, book: CouponBook, consumptions: { invoiceId: string; rows: CouponConsumption[] }[], now: Date): Promise<void> {
  const rows = consumptions.flatMap((c) => c.rows.map((r) => ({ invoice: c.invoiceId, applied: r.appliedCouponId, amount: r.amountCents.toString(), periods: r.periodsConsumed, exhausted: r.exhausted })));
  if (rows.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO "InvoiceCoupon" (id, "invoiceId", "appliedCouponId", "amountCents", "periodsConsumed", exhausted)
    SELECT gen_random_uuid(), r.invoice, r.applied, r.amount, r.periods, r.exhausted
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(invoice uuid, applied uuid, amount bigint, periods int, exhausted boolean)`;
  await writeCouponStates(tx, book, new Set(rows.map((r) => r.applied)), now);
}

/** Writes the state of the given applied coupons from the book. */
async function writeCouponStates(tx: Prisma.TransactionClient, book: CouponBook, ids: Set<string>, now: Date): Promise<void> {
  const states = [...book.values()].flat().filter((s) => ids.has(s.appliedCouponId));
  if (states.length === 0) return;
  const updates = states.map((s) => ({ id: s.appliedCouponId, remaining: s.amountCentsRemaining?.toString() ?? null, periods: s.frequencyDurationRemaining, status: s.status }));
  await tx.$executeRaw`
    UPDATE "AppliedCoupon" a
       SET "amountCentsRemaining" = u.remaining, "frequencyDurationRemaining" = u.periods, status = u.status::"CouponStatus",
           "terminatedAt" = CASE WHEN u.status = 'terminated' THEN COALESCE(a."terminatedAt", ${now}) ELSE NULL END, "updatedAt" = ${now}
      FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u(id uuid, remaining bigint, periods int, status text)
     WHERE a.id = u.id`;
}

/**
 * Gives back what an invoice took from its coupons (a draft about to be recomposed, a voided invoice) and deletes its
 * consumption rows. Returns the book it loaded, with the coupons as they were before the invoice, locked.
 */
export async function releaseInvoiceCoupons(tx: Prisma.TransactionClient, invoice: { id: string; customerId: string; serviceId: string }, now: Date): Promise<CouponBook> {
  const used = await tx.invoiceCoupon.findMany({ where: { invoiceId: invoice.id } });
  const book = await loadCouponBook(tx, [{ customerId: invoice.customerId, serviceId: invoice.serviceId }], used.map((u) => u.appliedCouponId));
  if (used.length === 0) return book;
  const states = [...book.values()].flat();
  releaseCoupons(states, used.map((u) => ({ appliedCouponId: u.appliedCouponId, amountCents: u.amountCents, periodsConsumed: u.periodsConsumed, exhausted: u.exhausted })));
  await tx.invoiceCoupon.deleteMany({ where: { invoiceId: invoice.id } });
  await writeCouponStates(tx, book, new Set(used.map((u) => u.appliedCouponId)), now);
  return book;
}

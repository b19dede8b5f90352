import type { Db } from "@/lib/db/prisma";
import { recordAudit, type AuditActor } from "@/lib/audit/audit-log";
import { DomainError, entityNotFound, invalidField } from "@/lib/errors";
import type { Customer, Prisma } from "@/lib/generated/prisma/client";

/**
 * Merging customers: the same client can end up as two customers when two services create it separately (customers are
 * never joined automatically, see service-customers.ts). Staff see the likely duplicates — same e-mail, ignoring case,
 * or same tax identification number — and merge one into the other.
 */
export type MergeReason = "email" | "tax_identification_number";

export interface MergeCandidate {
  customer: Customer;
  reasons: MergeReason[];
  accountLinks: number;
  subscriptions: number;
  invoices: number;
}

function sameEmail(a: Pick<Customer, "email">, b: Pick<Customer, "email">): boolean {
  return Boolean(a.email && b.email && a.email.trim().toLowerCase() === b.email.trim().toLowerCase());
}

/** Tax numbers are compared without spaces and case ("123456789 RT0001" is "123456789rt0001"). */
function normalisedTaxNumber(value: string | null): string | null {
  return value?.replace(/\s+/g, "").toUpperCase() || null;
}

function sameTaxNumber(a: Pick<Customer, "taxIdentificationNumber">, b: Pick<Customer, "taxIdentificationNumber">): boolean {
  const taxA = normalisedTaxNumber(a.taxIdentificationNumber);
  return taxA !== null && taxA === normalisedTaxNumber(b.taxIdentificationNumber);
}

function mergeReasons(a: Customer, b: Customer): MergeReason[] {
  return [...(sameEmail(a, b) ? (["email"] as const) : []), ...(sameTaxNumber(a, b) ? (["tax_identification_number"] as const) : [])];
}

/** Other live customers sharing the customer's e-mail or tax identification number, oldest first. */
export async function findMergeCandidates(client: Db, customerId: string): Promise<MergeCandidate[]> {
  const customer = await client.customer.findFirst({ where: { id: customerId, deletedAt: null } });
  if (!customer) throw entityNotFound("customer");
  const matches: Prisma.CustomerWhereInput[] = [];
  if (customer.email?.trim()) matches.push({ email: { equals: customer.email.trim(), mode: "insensitive" } });
  const taxNumber = normalisedTaxNumber(customer.taxIdentificationNumber);
  if (taxNumber) {
    const sameTax = await client.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Customer"
      WHERE "deletedAt" IS NULL AND upper(regexp_replace("taxIdentificationNumber", '[[:space:]]+', '', 'g')) = ${taxNumber}`;
    matches.push({ id: { in: sameTax.map((row) => row.id) } });
  }
  if (matches.length === 0) return [];
  const others = await client.customer.findMany({
    where: { id: { not: customer.id }, deletedAt: null, OR: matches },
    include: { _count: { select: { accountLinks: { where: { deletedAt: null } }, subscriptions: true, invoices: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return others.flatMap(({ _count, ...other }) => {
    const reasons = mergeReasons(customer, other);
    return reasons.length ? [{ customer: other, reasons, accountLinks: _count.accountLinks, subscriptions: _count.subscriptions, invoices: _count.invoices }] : [];
  });
}

export interface MergeResult {
  target: Customer;
  source: Customer;
  moved: { accountLinks: number; subscriptions: number; invoices: number; creditNotes: number; payments: number; reconciliations: number };
}

/** Whether the customer already has money in its currency: subscriptions, invoices or a credit balance. */
async function isPriced(tx: Prisma.TransactionClient, customer: Customer): Promise<boolean> {
  if (customer.creditBalanceCents !== BigInt(0)) return true;
  const [subscriptions, invoices] = await Promise.all([
    tx.subscription.count({ where: { customerId: customer.id } }),
    tx.invoice.count({ where: { customerId: customer.id } }),
  ]);
  return subscriptions + invoices > 0;
}

/**
 * Merges `sourceId` into `targetId` in one transaction: the source's account links, subscriptions, invoices, credit
 * notes, payments and reconciliation rows move to the target, its credit balance is added to the target's, and the
 * source is soft-deleted. The target keeps its own fields.
 *
 * Refused: merging a customer into itself, customers that share neither e-mail nor tax number, customers with different
 * currencies that both have money in theirs, and two reconciliation rows for the same service and month. When only the
 * source has money in its currency, the target takes that currency so the moved invoices stay in the customer's
 * currency.
 */
export async function mergeCustomers(client: Db, input: { targetId: string; sourceId: string; actor: AuditActor }): Promise<MergeResult> {
  if (input.targetId === input.sourceId) throw invalidField("source_customer_id", "cannot_merge_into_itself", "A customer cannot be merged into itself");
  return client.$transaction(async (tx) => {
    // Locked in id order so two opposite merges cannot deadlock; the lock also holds back new rows referencing either.
    await tx.$queryRaw`SELECT id FROM "Customer" WHERE id IN (${input.targetId}::uuid, ${input.sourceId}::uuid) ORDER BY id FOR UPDATE`;
    const [target, source] = await Promise.all(
      [input.targetId, input.sourceId].map((id) => tx.customer.findFirst({ where: { id, deletedAt: null } })),
    );
    if (!target) throw entityNotFound("customer", "The customer to merge into no longer exists");
    if (!source) throw entityNotFound("customer", "The customer to merge no longer exists (already merged?)");
    if (mergeReasons(target, source).length === 0) {
      throw new DomainError("invalid", "not_a_merge_candidate", undefined, "Only customers sharing an e-mail or a tax identification number can be merged");
    }

    let currency = target.currency;
    if (source.currency !== target.currency) {
      const [targetPriced, sourcePriced] = [await isPriced(tx, target), await isPriced(tx, source)];
      if (targetPriced && sourcePriced) {
        throw new DomainError(
          "conflict",
          "currencies_does_not_match",
          { targetCurrency: target.currency, sourceCurrency: source.currency },
          `Cannot merge: ${target.legalName} is billed in ${target.currency} and ${source.legalName} in ${source.currency}, and both have subscriptions or invoices`,
        );
      }
      if (sourcePriced) currency = source.currency;
    }

    const targetMonths = await tx.reconciliation.findMany({ where: { customerId: target.id }, select: { serviceId: true, period: true } });
    const clashes = targetMonths.length
      ? await tx.reconciliation.findMany({ where: { customerId: source.id, OR: targetMonths }, select: { period: true, service: { select: { code: true } } } })
      : [];
    if (clashes.length > 0) {
      const list = clashes.map((c) => `${c.service.code} ${c.period}`).join(", ");
      throw new DomainError("conflict", "reconciliation_conflict", { periods: list }, `Cannot merge: both customers have reconciliation rows for ${list}`);
    }

    const from = { customerId: source.id };
    const to = { customerId: target.id };
    const [accountLinks, subscriptions, invoices, creditNotes, payments, reconciliations] = [
      await tx.accountLink.updateMany({ where: from, data: to }),
      await tx.subscription.updateMany({ where: from, data: to }),
      await tx.invoice.updateMany({ where: from, data: to }),
      await tx.creditNote.updateMany({ where: from, data: to }),
      await tx.payment.updateMany({ where: from, data: to }),
      await tx.reconciliation.updateMany({ where: from, data: to }),
    ].map((result) => result.count);
    await tx.providerCost.updateMany({ where: from, data: to });

    // The Stripe customer id is unique: it moves only when the target has none, and leaves the source first.
    const moveStripe = Boolean(source.stripeCustomerId && !target.stripeCustomerId);
    const mergedSource = await tx.customer.update({
      where: { id: source.id },
      data: { deletedAt: new Date(), creditBalanceCents: BigInt(0), ...(moveStripe ? { stripeCustomerId: null } : {}) },
    });
    const mergedTarget = await tx.customer.update({
      where: { id: target.id },
      data: {
        currency,
        creditBalanceCents: { increment: source.creditBalanceCents },
        ...(moveStripe ? { stripeCustomerId: source.stripeCustomerId } : {}),
      },
    });
    const moved = { accountLinks, subscriptions, invoices, creditNotes, payments, reconciliations };
    await recordAudit(tx, input.actor, {
      action: "customer.merged",
      entityType: "Customer",
      entityId: target.id,
      data: {
        sourceId: source.id,
        sourceLegalName: source.legalName,
        movedCreditBalanceCents: source.creditBalanceCents.toString(),
        ...(source.stripeCustomerId && !moveStripe ? { sourceStripeCustomerId: source.stripeCustomerId } : {}),
        moved,
      },
    });
    return { target: mergedTarget, source: mergedSource, moved };
  });
}

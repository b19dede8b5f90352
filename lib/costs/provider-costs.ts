import type { Db } from "@/lib/db/prisma";
import { DomainError, isUniqueViolation, withConflictRetry } from "@/lib/errors";
import { BOOKS_TIMEZONE } from "@/lib/reports/report-params";

export { BOOKS_TIMEZONE };

/**
 * Provider costs (what a service paid its providers — model tokens, map requests, SMS — to serve one of its customers
 * on one day), pushed by the company's provider-cost tracker for the margin report.
 *
 * - The day is a calendar day in the books' timezone, America/Toronto (`BOOKS_TIMEZONE`): the margin report's months
 *   are Toronto months, like every other report. A caller that only has an instant sends `timestamp`; its Toronto date
 *   is the day (2026-12-01T03:30:00Z is still November 30 in Toronto).
 * - A service posts costs only for its own customers: `external_customer_id` is looked up among that service's account
 *   links, so another service's customer is simply not found.
 * - The amount is in minor units of the customer's billing currency (the margin compares it with what the customer is
 *   invoiced); Nexa holds no exchange rates, so the tracker converts before sending.
 * - Idempotent like usage: the idempotency key is unique per service; the same key with the same content answers the
 *   stored cost again (`duplicate: true`), the same key with different content is 409 `idempotency_key_conflict`. A
 *   batch is all or nothing.
 */

export interface ProviderCostInput {
  externalCustomerId: string;
  /** YYYY-MM-DD, in BOOKS_TIMEZONE. */
  date: string;
  costType: string;
  amountCents: bigint;
  currency: string;
  description: string | null;
  idempotencyKey: string;
}

export interface StoredProviderCost extends ProviderCostInput {
  id: string;
  createdAt: Date;
  duplicate: boolean;
}

type Content = { customerId: string; date: string; costType: string; amountCents: bigint; currency: string; description: string | null };

const sameContent = (a: Content, b: Content) =>
  a.customerId === b.customerId && a.date === b.date && a.costType === b.costType && a.amountCents === b.amountCents && a.currency === b.currency && (a.description ?? null) === (b.description ?? null);

class StoredConflict extends Error {
  constructor(readonly keys: string[]) {
    super("idempotency key conflict");
  }
}

export async function recordProviderCosts(client: Db, serviceId: string, inputs: ProviderCostInput[]): Promise<StoredProviderCost[]> {
  const links = await client.accountLink.findMany({
    where: { serviceId, deletedAt: null, externalId: { in: [...new Set(inputs.map((i) => i.externalCustomerId))] }, customer: { deletedAt: null } },
    select: { externalId: true, customerId: true, customer: { select: { currency: true } } },
  });
  const byExternalId = new Map(links.map((l) => [l.externalId, l]));
  const errors: Record<string, Record<string, string[]>> = {};
  const rows = inputs.map((input, index) => {
    const link = byExternalId.get(input.externalCustomerId);
    if (!link) (errors[index] ??= {}).external_customer_id = ["customer_not_found"];
    else if (link.customer.currency !== input.currency) (errors[index] ??= {}).amount_currency = ["currency_mismatch"];
    return { ...input, customerId: link?.customerId ?? "" };
  });
  if (Object.keys(errors).length) {
    if (inputs.length === 1) {
      if (errors[0].external_customer_id) throw new DomainError("not_found", "customer_not_found", undefined, "No customer of this service has this external_customer_id");
      throw new DomainError("invalid", "validation_errors", errors[0], "A cost is in the currency the customer is invoiced in");
    }
    throw new DomainError("invalid", "validation_errors", errors, "Some costs were refused; none of the batch was stored");
  }
  const firstByKey = new Map<string, (typeof rows)[number]>();
  for (const [index, row] of rows.entries()) {
    const first = firstByKey.get(row.idempotencyKey);
    if (!first) firstByKey.set(row.idempotencyKey, row);
    else if (!sameContent(first, row)) (errors[index] ??= {}).idempotency_key = ["idempotency_key_conflict"];
  }
  if (Object.keys(errors).length) throw new DomainError("conflict", "idempotency_key_conflict", errors, "An idempotency key was reused with a different cost");
  const unique = [...firstByKey.values()].sort((a, b) => (a.idempotencyKey < b.idempotencyKey ? -1 : 1));

  let stored: Map<string, { id: string; createdAt: Date; duplicate: boolean; content: Content }>;
  try {
    stored = await withConflictRetry(() =>
      client.$transaction(async (tx) => {
        const inserted = await tx.providerCost.createManyAndReturn({
          data: unique.map((r) => ({
            serviceId, customerId: r.customerId, externalCustomerId: r.externalCustomerId, costDate: new Date(`${r.date}T00:00:00Z`), costType: r.costType,
            amountCents: r.amountCents, currency: r.currency, description: r.description, idempotencyKey: r.idempotencyKey,
          })),
          skipDuplicates: true,
          select: { id: true, idempotencyKey: true, createdAt: true },
        });
        const result = new Map<string, { id: string; createdAt: Date; duplicate: boolean; content: Content }>();
        for (const row of inserted) result.set(row.idempotencyKey, { id: row.id, createdAt: row.createdAt, duplicate: false, content: firstByKey.get(row.idempotencyKey)! });
        const retried = unique.filter((r) => !result.has(r.idempotencyKey)).map((r) => r.idempotencyKey);
        if (retried.length) {
          const existing = await tx.providerCost.findMany({ where: { serviceId, idempotencyKey: { in: retried } } });
          const conflicts: string[] = [];
          for (const e of existing) {
            const content = { customerId: e.customerId, date: e.costDate.toISOString().slice(0, 10), costType: e.costType, amountCents: e.amountCents, currency: e.currency, description: e.description };
            if (!sameContent(content, firstByKey.get(e.idempotencyKey)!)) conflicts.push(e.idempotencyKey);
            result.set(e.idempotencyKey, { id: e.id, createdAt: e.createdAt, duplicate: true, content });
          }
          // Rolls back what this batch inserted: a conflicting batch stores nothing.
          if (conflicts.length) throw new StoredConflict(conflicts);
        }
        return result;
      }),
    );
  } catch (error) {
    if (error instanceof StoredConflict) {
      const details: Record<string, unknown> = inputs.length === 1
        ? { idempotency_key: ["idempotency_key_conflict"] }
        : Object.fromEntries(error.keys.map((k) => [String(inputs.findIndex((i) => i.idempotencyKey === k)), { idempotency_key: ["idempotency_key_conflict"] }]));
      throw new DomainError("conflict", "idempotency_key_conflict", details, "This idempotency key was already used with a different cost");
    }
    // Two first sends of one key at once: the loser's insert was skipped only after the winner committed; ask again.
    if (isUniqueViolation(error)) return recordProviderCosts(client, serviceId, inputs);
    throw error;
  }
  return rows.map((row, index) => {
    const s = stored.get(row.idempotencyKey)!;
    const repeatedInBatch = firstByKey.get(row.idempotencyKey) !== rows[index];
    return {
      ...inputs[index], id: s.id, createdAt: s.createdAt, duplicate: s.duplicate || repeatedInBatch,
      date: s.content.date, costType: s.content.costType, amountCents: s.content.amountCents, currency: s.content.currency, description: s.content.description,
    };
  });
}

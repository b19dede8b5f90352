import type { Db } from "@/lib/db/prisma";
import { mulDivHalfUp } from "@/lib/billing/money";
import { DomainError } from "@/lib/errors";
import type { Wallet } from "@/lib/generated/prisma/client";
import { subscriptionCurrentUsage } from "@/lib/usage/current-usage";
import { progressiveBillingCredits, progressiveCreditKey } from "@/lib/invoicing/progressive-billing";
import { alertDepleted } from "./consumption";

const ZERO = BigInt(0);

/**
 * The usage of the customer's current periods with the wallets' service, not yet invoiced (priced and taxed as the
 * period-end invoice would: lib/usage/current-usage.ts), allotted to the wallets in the order they will be consumed —
 * each takes up to its balance, the last takes what is left. ongoing balance = balance − this.
 */
export async function ongoingUsageOf(client: Db, wallets: Wallet[], now = new Date()): Promise<Map<string, bigint>> {
  const result = new Map<string, bigint>(wallets.map((w) => [w.id, ZERO]));
  const groups = new Map<string, Wallet[]>();
  for (const wallet of wallets) {
    if (wallet.status !== "active") continue;
    const key = `${wallet.customerId}:${wallet.serviceId}:${wallet.currency}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(wallet);
  }
  for (const members of groups.values()) {
    const { customerId, serviceId, currency } = members[0];
    const subscriptions = await client.subscription.findMany({ where: { customerId, serviceId, status: "active", shadow: false }, include: { customer: true, plan: true } });
    let usage = ZERO;
    for (const subscription of subscriptions) {
      if ((subscription.plan?.currency ?? subscription.customer.currency) !== currency) continue;
      try {
        const current = await subscriptionCurrentUsage(client, subscription, now);
        // Progressive-billing invoices of the period already billed (and drew from the wallets) part of it.
        const billed = (await progressiveBillingCredits(client, [{ subscriptionId: subscription.id, periodStart: current.periodStart }]))
          .get(progressiveCreditKey(subscription.id, current.periodStart)) ?? ZERO;
        usage += unbilledTaxedUsage(current.amountCents, current.taxesCents, billed);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    const ordered = members.sort((a, b) => a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    ordered.forEach((wallet, n) => {
      const share = n === ordered.length - 1 || usage <= wallet.balanceCents ? usage : wallet.balanceCents;
      result.set(wallet.id, share);
      usage -= share;
    });
  }
  return result;
}

/**
 * The part of a period's usage (pre-tax amount and its tax) not billed yet by progressive-billing invoices (`billed`,
 * pre-tax), with its share of the tax (rounded half up): what the period close will still draw from the wallets.
 */
export function unbilledTaxedUsage(amountCents: bigint, taxesCents: bigint, billedCents: bigint): bigint {
  const unbilled = amountCents - billedCents;
  if (unbilled <= ZERO || amountCents <= ZERO) return ZERO;
  if (unbilled >= amountCents) return amountCents + taxesCents;
  return unbilled + mulDivHalfUp(taxesCents, unbilled, amountCents);
}

/**
 * The wallet job's ongoing-balance pass: a wallet whose balance the current usage has used up (ongoing balance ≤ 0)
 * sends `wallet.depleted_ongoing_balance` once; one back above zero (more credit, or a new period) is re-armed.
 */
export async function refreshOngoingBalances(client: Db, now = new Date()): Promise<{ alerted: number; rearmed: number }> {
  const wallets = await client.wallet.findMany({ where: { status: "active", OR: [{ balanceCents: { gt: 0 } }, { depletedAlertedAt: { not: null } }] }, take: 5000 });
  const usage = await ongoingUsageOf(client, wallets, now);
  const depleted = wallets.filter((w) => !w.depletedAlertedAt && w.balanceCents > ZERO && w.balanceCents - (usage.get(w.id) ?? ZERO) <= ZERO).map((w) => w.id);
  const recovered = wallets.filter((w) => w.depletedAlertedAt && w.balanceCents - (usage.get(w.id) ?? ZERO) > ZERO);
  const alerted = depleted.length ? await client.$transaction((tx) => alertDepleted(tx, depleted, now, usage)) : [];
  // Re-armed only if still true when written: a wallet consumed (or re-alerted) since it was read keeps its mark, so
  // the same depletion never alerts twice.
  const rearmed = recovered.length ? await client.$executeRaw`
    UPDATE "Wallet" w SET "depletedAlertedAt" = NULL, "updatedAt" = ${now}
      FROM unnest(${recovered.map((w) => w.id)}::uuid[], ${recovered.map((w) => w.depletedAlertedAt)}::timestamptz[], ${recovered.map((w) => (usage.get(w.id) ?? ZERO).toString())}::bigint[]) AS r(id, marked, usage)
     WHERE w.id = r.id AND w.status = 'active' AND w."depletedAlertedAt" = r.marked AND w."balanceCents" - r.usage > 0` : 0;
  return { alerted: alerted.length, rearmed };
}

import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { Wallet } from "@/lib/generated/prisma/client";
import { subscriptionCurrentUsage } from "@/lib/usage/current-usage";
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
        usage += current.amountCents + current.taxesCents;
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
 * The wallet job's ongoing-balance pass: a wallet whose balance the current usage has used up (ongoing balance ≤ 0)
 * sends `wallet.depleted_ongoing_balance` once; one back above zero (more credit, or a new period) is re-armed.
 */
export async function refreshOngoingBalances(client: Db, now = new Date()): Promise<{ alerted: number; rearmed: number }> {
  const wallets = await client.wallet.findMany({ where: { status: "active", OR: [{ balanceCents: { gt: 0 } }, { depletedAlertedAt: { not: null } }] }, take: 5000 });
  const usage = await ongoingUsageOf(client, wallets, now);
  const depleted = wallets.filter((w) => !w.depletedAlertedAt && w.balanceCents > ZERO && w.balanceCents - (usage.get(w.id) ?? ZERO) <= ZERO).map((w) => w.id);
  const recovered = wallets.filter((w) => w.depletedAlertedAt && w.balanceCents - (usage.get(w.id) ?? ZERO) > ZERO).map((w) => w.id);
  const alerted = depleted.length ? await client.$transaction((tx) => alertDepleted(tx, depleted, now, usage)) : [];
  if (recovered.length) await client.wallet.updateMany({ where: { id: { in: recovered } }, data: { depletedAlertedAt: null } });
  return { alerted: alerted.length, rearmed: recovered.length };
}

import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { serializeWallet } from "@/lib/api/serializers/wallet";
import { recordWebhookEvents, servicesListeningTo, type OutboundEvent } from "@/lib/webhooks/outbound-events";

type Client = Prisma.TransactionClient | Db;
export type WalletEventType = "wallet.created" | "wallet.updated" | "wallet.terminated" | "wallet.depleted_ongoing_balance";

/** Wallet events to the wallet's service (which alone sees the wallet), the wallet as the API shows it. */
export async function recordWalletEvents(tx: Client, walletIds: string[], type: WalletEventType, ongoingUsageCents?: Map<string, bigint>): Promise<void> {
  if (!walletIds.length) return;
  const wallets = await tx.wallet.findMany({ where: { id: { in: walletIds } } });
  const listening = await servicesListeningTo(tx, [...new Set(wallets.map((w) => w.serviceId))], [type]);
  if (!listening.size) return;
  const links = await tx.accountLink.findMany({
    where: { OR: wallets.map((w) => ({ serviceId: w.serviceId, customerId: w.customerId })) },
    orderBy: [{ deletedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
  });
  const events: OutboundEvent[] = wallets
    .filter((w) => listening.has(w.serviceId))
    .map((wallet) => {
      const externalId = links.find((l) => l.serviceId === wallet.serviceId && l.customerId === wallet.customerId)?.externalId ?? "";
      return {
        serviceId: wallet.serviceId, type, objectType: "wallet", objectId: wallet.id, orderingKey: `customer:${wallet.customerId}`,
        object: serializeWallet(wallet, externalId, ongoingUsageCents?.get(wallet.id) ?? BigInt(0)),
      };
    });
  await recordWebhookEvents(tx, events);
}

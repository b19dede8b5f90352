import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { Prisma, Wallet } from "@/lib/generated/prisma/client";
import { serializeWallet } from "@/lib/api/serializers/wallet";
import { isUuid } from "@/lib/invoicing/service-invoices";
import { ongoingUsageOf } from "./ongoing-balance";

/** A service's wallet by id; another service's wallet is not found (404), never forbidden. */
export async function getServiceWallet(client: Db | Prisma.TransactionClient, serviceId: string, walletId: string): Promise<Wallet> {
  if (!isUuid(walletId)) throw new DomainError("not_found", "wallet_not_found");
  const wallet = await client.wallet.findFirst({ where: { id: walletId, serviceId } });
  if (!wallet) throw new DomainError("not_found", "wallet_not_found");
  return wallet;
}

/** Wallets as the service's API shows them: its external customer id and the ongoing balance. */
export async function serializeServiceWallets(client: Db, serviceId: string, wallets: Wallet[], now = new Date()) {
  if (!wallets.length) return [];
  const links = await client.accountLink.findMany({ where: { serviceId, customerId: { in: [...new Set(wallets.map((w) => w.customerId))] } }, orderBy: [{ deletedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }] });
  const usage = await ongoingUsageOf(client, wallets, now);
  const consumed = await client.walletTransaction.groupBy({ by: ["walletId"], where: { walletId: { in: wallets.map((w) => w.id) }, kind: "invoiced", transactionType: "outbound" }, _max: { createdAt: true } });
  return wallets.map((wallet) =>
    serializeWallet(
      wallet,
      links.find((l) => l.customerId === wallet.customerId)?.externalId ?? "",
      usage.get(wallet.id),
      consumed.find((c) => c.walletId === wallet.id)?._max.createdAt ?? null,
    ),
  );
}

export async function serializeServiceWallet(client: Db, serviceId: string, wallet: Wallet, now = new Date()) {
  return (await serializeServiceWallets(client, serviceId, [wallet], now))[0];
}

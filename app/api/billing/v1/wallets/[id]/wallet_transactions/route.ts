import { db } from "@/lib/db/prisma";
import { validationError } from "@/lib/api/errors";
import { pageRequest, paginationMeta } from "@/lib/api/pagination";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { serializeWalletTransaction } from "@/lib/api/serializers/wallet";
import type { Prisma } from "@/lib/generated/prisma/client";
import { getServiceWallet } from "@/lib/wallets/service-wallets";

const STATUSES = ["pending", "settled", "failed"] as const;
const KINDS = ["purchased", "granted", "voided", "invoiced"] as const;
const TYPES = ["inbound", "outbound"] as const;

export const GET = serviceRoute<{ id: string }>(async ({ url, params, service }) => {
  const wallet = await getServiceWallet(db(), service.id, params.id);
  const status = url.searchParams.get("status");
  const kind = url.searchParams.get("transaction_status");
  const type = url.searchParams.get("transaction_type");
  const errors: Record<string, string[]> = {};
  if (status && !(STATUSES as readonly string[]).includes(status)) errors.status = ["value_is_invalid"];
  if (kind && !(KINDS as readonly string[]).includes(kind)) errors.transaction_status = ["value_is_invalid"];
  if (type && !(TYPES as readonly string[]).includes(type)) errors.transaction_type = ["value_is_invalid"];
  if (Object.keys(errors).length) throw validationError(errors);
  const page = pageRequest(url);
  const where: Prisma.WalletTransactionWhereInput = {
    walletId: wallet.id,
    ...(status ? { status: status as (typeof STATUSES)[number] } : {}),
    ...(kind ? { kind: kind as (typeof KINDS)[number] } : {}),
    ...(type ? { transactionType: type as (typeof TYPES)[number] } : {}),
  };
  const [total, transactions] = await Promise.all([
    db().walletTransaction.count({ where }),
    db().walletTransaction.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: page.skip, take: page.take }),
  ]);
  return json({ wallet_transactions: transactions.map((t) => serializeWalletTransaction(t, wallet)), meta: paginationMeta(page, total) });
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };

import { db } from "@/lib/db/prisma";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { walletTransactionBody } from "@/lib/api/schemas/wallet";
import { serializeWalletTransaction } from "@/lib/api/serializers/wallet";
import { collectCreditInvoice } from "@/lib/wallets/collect-top-up";
import { getServiceWallet } from "@/lib/wallets/service-wallets";
import { topUpWallet } from "@/lib/wallets/wallets";

/** Lago's top-up / void: paid, granted and voided credits in one request, one transaction each. */
export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(walletTransactionBody, await readEnvelope(request, "wallet_transaction"));
  const result = await db().$transaction(async (tx) => {
    const wallet = await getServiceWallet(tx, service.id, body.wallet_id);
    return topUpWallet(tx, wallet.id, {
      paidCredits: body.paid_credits, grantedCredits: body.granted_credits, voidedCredits: body.voided_credits, name: body.name,
      invoiceRequiresSuccessfulPayment: body.invoice_requires_successful_payment,
    }, { type: "service", id: service.id });
  }, { timeout: 30_000, maxWait: 10_000 });
  if (result.creditInvoiceId) await collectCreditInvoice(db(), result.creditInvoiceId);
  const wallet = await db().wallet.findUniqueOrThrow({ where: { id: body.wallet_id } });
  const transactions = await db().walletTransaction.findMany({ where: { id: { in: result.transactions.map((t) => t.id) } } });
  const order = new Map(result.transactions.map((t, n) => [t.id, n]));
  transactions.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return json({ wallet_transactions: transactions.map((t) => serializeWalletTransaction(t, wallet)) });
});

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };

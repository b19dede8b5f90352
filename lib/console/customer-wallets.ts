import type { Db } from "@/lib/db/prisma";
import { formatDateTime, formatMoney } from "@/lib/format";
import { centsToCredits } from "@/lib/wallets/credits";
import { ongoingUsageOf } from "@/lib/wallets/ongoing-balance";

export interface WalletRow extends Record<string, string | null> {
  id: string;
  label: string;
  service: string;
  status: string;
  rate: string;
  balance: string;
  ongoing: string;
  pending: string;
  consumed: string;
  expires: string;
}

const KIND_WORDS: Record<string, string> = { purchased: "Paid top-up", granted: "Granted", voided: "Voided", invoiced: "Consumed by invoice" };

/** The customer's wallets (every service) and their latest transactions, as the console's customer page shows them. */
export async function customerWallets(client: Db, customerId: string, timezone: string) {
  const wallets = await client.wallet.findMany({ where: { customerId }, include: { service: true }, orderBy: [{ status: "asc" }, { priority: "asc" }, { createdAt: "asc" }] });
  const usage = await ongoingUsageOf(client, wallets);
  const rows: WalletRow[] = wallets.map((w) => ({
    id: w.id,
    label: w.name ?? w.code ?? `Wallet ${w.id.slice(0, 8)}`,
    service: w.service.name,
    status: w.status,
    rate: `${w.rateAmount.toString()} ${w.currency} / credit`,
    balance: `${formatMoney(w.balanceCents, w.currency)} (${centsToCredits(w.balanceCents, w.rateAmount.toString())} credits)`,
    ongoing: formatMoney(w.balanceCents - (usage.get(w.id) ?? BigInt(0)), w.currency),
    pending: formatMoney(w.pendingCents, w.currency),
    consumed: formatMoney(w.consumedCents, w.currency),
    expires: w.terminatedAt ? `terminated ${formatDateTime(w.terminatedAt, timezone)}` : w.expirationAt ? formatDateTime(w.expirationAt, timezone) : "never",
  }));
  const transactions = await client.walletTransaction.findMany({
    where: { walletId: { in: wallets.map((w) => w.id) } }, include: { invoice: { select: { id: true, number: true } } }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], take: 50,
  });
  const byId = new Map(wallets.map((w) => [w.id, w]));
  const transactionRows = transactions.map((t) => {
    const wallet = byId.get(t.walletId)!;
    return {
      date: formatDateTime(t.createdAt, timezone),
      wallet: wallet.name ?? wallet.code ?? wallet.id.slice(0, 8),
      kind: KIND_WORDS[t.kind] ?? t.kind,
      amount: `${t.transactionType === "outbound" ? "−" : "+"}${formatMoney(t.amountCents, wallet.currency)}`,
      credits: t.creditAmount.toString(),
      status: t.status,
      invoice: t.invoice?.number ?? (t.invoice ? "draft" : "—"),
      invoiceHref: t.invoice ? `/console/invoices/${t.invoice.id}` : null,
      name: t.name ?? "",
    };
  });
  return { wallets: rows, transactions: transactionRows };
}

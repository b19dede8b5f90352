"use server";

import { z } from "zod";
import { noFields, staffAction } from "@/lib/auth/staff-action";
import { decimalText, textOrNull, uuid } from "@/lib/console/forms/form-schemas";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { db } from "@/lib/db/prisma";
import { formatMoney } from "@/lib/format";
import { collectCreditInvoice } from "@/lib/wallets/collect-top-up";
import { terminateWallet, topUpWallet } from "@/lib/wallets/wallets";

// Prepaid credit is money owed to the customer: finance and admin only.
const oneId = z.tuple([uuid]);

const walletTransactionForm = z.object({
  kind: z.enum(["paid", "granted", "voided"], { error: "value_is_invalid" }),
  credits: decimalText(),
  name: textOrNull(255),
});

export const walletTransactionAction = staffAction({ role: "finance", args: oneId }, walletTransactionForm, async (form, { staff, args: [walletId] }) => {
  const topUp = { paidCredits: form.kind === "paid" ? form.credits : null, grantedCredits: form.kind === "granted" ? form.credits : null, voidedCredits: form.kind === "voided" ? form.credits : null, name: form.name };
  const result = await db().$transaction((tx) => topUpWallet(tx, walletId, topUp, { type: "staff", id: staff.id }), { timeout: 30_000, maxWait: 10_000 });
  const charged = result.creditInvoiceId ? await collectCreditInvoice(db(), result.creditInvoiceId) : null;
  refreshConsole();
  const wallet = await db().wallet.findUniqueOrThrow({ where: { id: walletId } });
  const what = form.kind === "paid" ? `Credit invoice issued${charged === "succeeded" ? " and paid by card" : ": the credits are available once it is paid"}` : form.kind === "granted" ? "Credits granted" : "Credits voided";
  return { message: `${what}. Balance ${formatMoney(wallet.balanceCents, wallet.currency)}.` };
});

export const terminateWalletAction = staffAction({ role: "finance", args: oneId }, noFields, async (_form, { staff, args: [walletId] }) => {
  const wallet = await db().$transaction((tx) => terminateWallet(tx, walletId, { type: "staff", id: staff.id }));
  refreshConsole();
  return { message: `Wallet terminated${wallet.status === "terminated" ? "; its remaining credits were voided" : ""}.` };
});

import { db } from "@/lib/db/prisma";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { updateWalletBody } from "@/lib/api/schemas/wallet";
import { getServiceWallet, serializeServiceWallet } from "@/lib/wallets/service-wallets";
import { terminateWallet, updateWallet } from "@/lib/wallets/wallets";

type Params = { id: string };

export const GET = serviceRoute<Params>(async ({ params, service }) => {
  const wallet = await getServiceWallet(db(), service.id, params.id);
  return json({ wallet: await serializeServiceWallet(db(), service.id, wallet) });
});

export const PUT = serviceRoute<Params>(async ({ request, params, service }) => {
  const body = parseBody(updateWalletBody, await readEnvelope(request, "wallet"));
  const wallet = await db().$transaction(async (tx) => {
    const found = await getServiceWallet(tx, service.id, params.id);
    return updateWallet(tx, found.id, {
      name: body.name, code: body.code, priority: body.priority, expirationAt: body.expiration_at,
      invoiceRequiresSuccessfulPayment: body.invoice_requires_successful_payment,
    }, { type: "service", id: service.id });
  });
  return json({ wallet: await serializeServiceWallet(db(), service.id, wallet) });
});

/** Lago's DELETE terminates the wallet: what is left is voided. */
export const DELETE = serviceRoute<Params>(async ({ params, service }) => {
  const wallet = await db().$transaction(async (tx) => {
    const found = await getServiceWallet(tx, service.id, params.id);
    return terminateWallet(tx, found.id, { type: "service", id: service.id });
  });
  return json({ wallet: await serializeServiceWallet(db(), service.id, wallet) });
});

export { methodNotAllowed as POST, methodNotAllowed as PATCH };

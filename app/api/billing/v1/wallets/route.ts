import { db } from "@/lib/db/prisma";
import { validationError } from "@/lib/api/errors";
import { pageRequest, paginationMeta } from "@/lib/api/pagination";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { createWalletBody } from "@/lib/api/schemas/wallet";
import { getServiceCustomer } from "@/lib/customers/service-customers";
import { collectCreditInvoice } from "@/lib/wallets/collect-top-up";
import { serializeServiceWallet, serializeServiceWallets } from "@/lib/wallets/service-wallets";
import { createWallet } from "@/lib/wallets/wallets";

export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(createWalletBody, await readEnvelope(request, "wallet"));
  const created = await db().$transaction(async (tx) => {
    const { customer } = await getServiceCustomer(tx, service.id, body.external_customer_id);
    return createWallet(tx, service.id, customer, {
      name: body.name, code: body.code, priority: body.priority, rateAmount: body.rate_amount, currency: body.currency,
      expirationAt: body.expiration_at, invoiceRequiresSuccessfulPayment: body.invoice_requires_successful_payment,
    }, { paidCredits: body.paid_credits, grantedCredits: body.granted_credits, name: body.transaction_name }, { type: "service", id: service.id });
  }, { timeout: 30_000, maxWait: 10_000 });
  if (created.creditInvoiceId) await collectCreditInvoice(db(), created.creditInvoiceId);
  const wallet = await db().wallet.findUniqueOrThrow({ where: { id: created.wallet.id } });
  return json({ wallet: await serializeServiceWallet(db(), service.id, wallet) });
});

export const GET = serviceRoute(async ({ url, service }) => {
  const externalCustomerId = url.searchParams.get("external_customer_id");
  if (!externalCustomerId) throw validationError({ external_customer_id: ["value_is_mandatory"] });
  const { customer } = await getServiceCustomer(db(), service.id, externalCustomerId);
  const page = pageRequest(url);
  const where = { serviceId: service.id, customerId: customer.id };
  const [total, wallets] = await Promise.all([
    db().wallet.count({ where }),
    db().wallet.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: page.skip, take: page.take }),
  ]);
  return json({ wallets: await serializeServiceWallets(db(), service.id, wallets), meta: paginationMeta(page, total) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };

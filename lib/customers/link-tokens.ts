import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * Consent to link one more service to an existing customer. Knowing a customer's id is not enough to attach a service
 * to their ledger (and then open their portal or see their invoices): the customer's side hands over a link token —
 * issued by staff in the console or by a service that already bills the customer — which the new service sends as
 * `billing_link_token`. Tokens are short-lived, single-use and stored only as a SHA-256 hash.
 */
export const LINK_TOKEN_TTL_MINUTES = 30;
const PREFIX = "nlt_";

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

export interface IssuedLinkToken {
  token: string;
  customerId: string;
  expiresAt: Date;
}

export async function issueLinkToken(
  client: Db | Prisma.TransactionClient,
  customerId: string,
  issuer: { type: "staff" | "service"; id: string },
  now = new Date(),
): Promise<IssuedLinkToken> {
  const token = `${PREFIX}${randomBytes(24).toString("base64url")}`;
  const expiresAt = new Date(now.getTime() + LINK_TOKEN_TTL_MINUTES * 60_000);
  await client.customerLinkToken.create({ data: { customerId, tokenHash: hashOf(token), issuedByType: issuer.type, issuedById: issuer.id, expiresAt } });
  await client.auditLog.create({ data: { actorType: issuer.type, actorId: issuer.id, action: "customer.link_token_issued", entityType: "Customer", entityId: customerId, data: { expiresAt: expiresAt.toISOString() } } });
  return { token, customerId, expiresAt };
}

export const linkTokenRequired = () =>
  new DomainError(
    "forbidden", "billing_link_token_required", { billing_link_token: ["value_is_mandatory"] },
    "Linking to an existing customer needs a billing_link_token issued in the console or by a service that already bills the customer",
  );

const linkTokenInvalid = () =>
  new DomainError("forbidden", "billing_link_token_invalid", { billing_link_token: ["value_is_invalid"] }, "This link token is unknown, expired, already used or for another customer");

/**
 * Uses a link token for this service (inside the linking transaction): the customer it was issued for. A token is
 * refused when unknown, expired, already used, or issued for another customer than `billing_customer_id` names.
 */
export async function consumeLinkToken(
  tx: Prisma.TransactionClient,
  token: string,
  serviceId: string,
  expectedCustomerId: string | undefined,
  now = new Date(),
): Promise<string> {
  if (!token.startsWith(PREFIX)) throw linkTokenInvalid();
  const claimed = await tx.customerLinkToken.updateManyAndReturn({
    where: { tokenHash: hashOf(token), usedAt: null, expiresAt: { gt: now }, ...(expectedCustomerId ? { customerId: expectedCustomerId } : {}) },
    data: { usedAt: now, usedByServiceId: serviceId },
  });
  if (claimed.length !== 1) throw linkTokenInvalid();
  const customer = await tx.customer.findFirst({ where: { id: claimed[0].customerId, deletedAt: null } });
  if (!customer) throw linkTokenInvalid();
  return customer.id;
}

import { createHmac, timingSafeEqual } from "node:crypto";
import { publicBaseUrl } from "./access-token";

/**
 * The pay link of an invoice e-mail: a signed token naming one invoice of one customer. Opening it signs the browser in
 * to the portal for that invoice only (the session's invoiceScope): the invoice page, its PDF and paying it on-session
 * work; every other portal page and action treats the session as signed out. Anyone the e-mail is forwarded to can
 * therefore see and pay that invoice — as with a paper invoice — and nothing else of the customer's.
 */
const DAY_MS = 86_400_000;
/** A pay link stays valid this long after the invoice's due date (overdue reminders carry a fresh one). */
const VALID_AFTER_DUE_MS = 90 * DAY_MS;

function secret(): string {
  const value = process.env.NEXTAUTH_SECRET;
  if (!value) throw new Error("NEXTAUTH_SECRET is not set");
  return value;
}

const sign = (payload: string) => createHmac("sha256", `invoice-pay-link:${secret()}`).update(payload).digest("base64url");

export interface InvoicePayClaims {
  invoiceId: string;
  customerId: string;
  expiresAt: number;
}

export function createInvoicePayToken(invoice: { id: string; customerId: string; paymentDueDate: Date | null }, now = Date.now()): string {
  const expiresAt = Math.max(now, invoice.paymentDueDate?.getTime() ?? now) + VALID_AFTER_DUE_MS;
  const payload = Buffer.from(JSON.stringify({ i: invoice.id, c: invoice.customerId, e: expiresAt })).toString("base64url");
  return `${payload}.${sign(payload)}`;
}

/** The token's claims, or null when it is forged, altered or expired. */
export function verifyInvoicePayToken(token: string, now = Date.now()): InvoicePayClaims | null {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const { i, c, e } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { i: unknown; c: unknown; e: unknown };
    if (typeof i !== "string" || typeof c !== "string" || typeof e !== "number" || e < now) return null;
    return { invoiceId: i, customerId: c, expiresAt: e };
  } catch {
    return null;
  }
}

export function invoicePayLink(invoice: { id: string; customerId: string; paymentDueDate: Date | null }, now = Date.now()): string {
  return `${publicBaseUrl()}/portal/pay/${createInvoicePayToken(invoice, now)}`;
}

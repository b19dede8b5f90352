import type { Db } from "@/lib/db/prisma";
import { formatDate, formatMoney } from "@/lib/format";
import { nextDunningAction } from "@/lib/dunning/dunning-schedule";
import { amountDueCents } from "@/lib/payments/chargeability";
import { publicBaseUrl } from "@/lib/portal/access-token";
import { sendCustomerEmail } from "./customer-email";


async function invoiceContext(client: Db, invoiceId: string) {
  const invoice = await client.invoice.findUniqueOrThrow({ where: { id: invoiceId }, include: { customer: true, service: true, dunning: { include: { campaign: true } } } });
  // Shadow billing is never e-mailed, and a customer without an address cannot be.
  if (invoice.shadow || !invoice.customer.email) return null;
  return invoice;
}

const signOff = "\n\n— Nexa Billing\nQuestions? Reply to this e-mail.";

/** After a failed charge: what failed, when we try again (or when service is suspended), and how to fix it. */
export async function sendDunningReminder(client: Db, invoiceId: string, now: Date) {
  const invoice = await invoiceContext(client, invoiceId);
  if (!invoice) return;
  const tz = invoice.customer.timezone;
  const due = formatMoney(amountDueCents(invoice), invoice.currency);
  const process = invoice.dunning;
  const next = process ? nextDunningAction(process.campaign, process.startedAt, process.step) : null;
  const nextLine = !next
    ? ""
    : next.kind === "retry"
      ? `We will try your card again on ${formatDate(next.at, tz)}.`
      : `If it is still unpaid on ${formatDate(next.at, tz)}, your ${invoice.service.name} subscriptions will be suspended.`;
  const step = process ? process.step + 1 : 1;
  await sendCustomerEmail(client, {
    customerId: invoice.customerId,
    to: invoice.customer.email!,
    kind: "dunning_reminder",
    relatedId: invoice.id,
    subject: `Payment failed for invoice ${invoice.number} (${due})`,
    text: `Hello ${invoice.customer.displayName ?? invoice.customer.legalName},\n\nWe could not charge your card for invoice ${invoice.number} of ${invoice.issuingDate ? formatDate(invoice.issuingDate, "UTC") : formatDate(now, tz)} (${due} due, reminder ${step}). ${nextLine}\n\nPay now or update your card: ${publicBaseUrl()}/portal/invoices/${invoice.id}${signOff}`,
  });
}

/** An off-session charge the bank wants the customer to confirm (3D Secure): a link to pay on-session. */
export async function sendPaymentActionRequired(client: Db, invoiceId: string, now: Date) {
  const invoice = await invoiceContext(client, invoiceId);
  if (!invoice) return;
  const due = formatMoney(amountDueCents(invoice), invoice.currency);
  await sendCustomerEmail(client, {
    customerId: invoice.customerId,
    to: invoice.customer.email!,
    kind: "payment_action_required",
    relatedId: invoice.id,
    subject: `Action needed: confirm your payment for invoice ${invoice.number} (${due})`,
    text: `Hello ${invoice.customer.displayName ?? invoice.customer.legalName},\n\nYour bank asks you to confirm the payment of invoice ${invoice.number} (${due}) before it can go through; we did not charge your card on ${formatDate(now, invoice.customer.timezone)}. Nothing is overdue because of this — confirm the payment here: ${publicBaseUrl()}/portal/invoices/${invoice.id}${signOff}`,
  });
}

/** A card the bank declined for good (lost, stolen, closed — or "do not try again"): we will not retry it. */
export async function sendNewCardNeeded(client: Db, invoiceId: string, now: Date) {
  const invoice = await invoiceContext(client, invoiceId);
  if (!invoice) return;
  const due = formatMoney(amountDueCents(invoice), invoice.currency);
  const process = invoice.dunning;
  const next = process ? nextDunningAction(process.campaign, process.startedAt, process.step) : null;
  const suspension = next ? ` If it is still unpaid on ${formatDate(next.at, invoice.customer.timezone)}, your ${invoice.service.name} subscriptions may be suspended.` : "";
  await sendCustomerEmail(client, {
    customerId: invoice.customerId,
    to: invoice.customer.email!,
    kind: "new_card_needed",
    relatedId: invoice.id,
    subject: `New card needed for invoice ${invoice.number} (${due})`,
    text: `Hello ${invoice.customer.displayName ?? invoice.customer.legalName},\n\nYour bank declined your card for invoice ${invoice.number} of ${formatDate(now, invoice.customer.timezone)} and asked us not to try it again, so we will not.${suspension}\n\nAdd a new card and pay: ${publicBaseUrl()}/portal/invoices/${invoice.id}${signOff}`,
  });
}

export async function sendSuspensionNotice(client: Db, invoiceId: string, now: Date) {
  const invoice = await invoiceContext(client, invoiceId);
  if (!invoice) return;
  const due = formatMoney(amountDueCents(invoice), invoice.currency);
  await sendCustomerEmail(client, {
    customerId: invoice.customerId,
    to: invoice.customer.email!,
    kind: "suspension_notice",
    relatedId: invoice.id,
    subject: `${invoice.service.name} suspended: invoice ${invoice.number} is unpaid`,
    text: `Hello ${invoice.customer.displayName ?? invoice.customer.legalName},\n\nInvoice ${invoice.number} (${due}) is still unpaid after our last attempt on ${formatDate(now, invoice.customer.timezone)}, so your ${invoice.service.name} subscriptions are suspended. Paying the invoice resumes them: ${publicBaseUrl()}/portal/invoices/${invoice.id}${signOff}`,
  });
}

export async function sendPaymentReceipt(client: Db, invoiceId: string, paymentId: string) {
  const invoice = await invoiceContext(client, invoiceId);
  if (!invoice) return;
  const payment = await client.payment.findUniqueOrThrow({ where: { id: paymentId } });
  await sendCustomerEmail(client, {
    customerId: invoice.customerId,
    to: invoice.customer.email!,
    kind: "payment_receipt",
    relatedId: payment.id,
    subject: `Receipt: invoice ${invoice.number} paid`,
    text: `Hello ${invoice.customer.displayName ?? invoice.customer.legalName},\n\nWe received ${formatMoney(payment.amountCents, payment.currency)} for invoice ${invoice.number}. Thank you.\n\nYour invoices: ${publicBaseUrl()}/portal/invoices${signOff}`,
  });
}

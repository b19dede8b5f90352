import type { Db } from "@/lib/db/prisma";
import { formatDate, formatMoney } from "@/lib/format";
import { nextDunningAction } from "@/lib/dunning/dunning-schedule";
import { amountDueCents } from "@/lib/payments/chargeability";
import { publicBaseUrl } from "@/lib/portal/access-token";
import { invoicePayLink } from "@/lib/portal/invoice-pay-link";
import type { OutgoingMail } from "./mail-transport";
import { sendCustomerEmail } from "./customer-email";

async function invoiceContext(client: Db, invoiceId: string) {
  const invoice = await client.invoice.findUniqueOrThrow({ where: { id: invoiceId }, include: { customer: true, service: true, dunning: { include: { campaign: true } } } });
  // Shadow billing is never e-mailed, and a customer without an address cannot be.
  if (invoice.shadow || !invoice.customer.email) return null;
  return invoice;
}

type InvoiceContext = NonNullable<Awaited<ReturnType<typeof invoiceContext>>>;

interface InvoiceEmail {
  kind: string;
  subject: string;
  /** What follows the greeting, before the sign-off. */
  body: string;
  /** What the log (EmailMessage) relates the message to; the invoice by default. */
  relatedId?: string;
  attachments?: OutgoingMail["attachments"];
}

export type InvoiceEmailOutcome = { status: "not_sent"; error: null } | { status: string; error: string | null };

/**
 * The frame every invoice e-mail shares: the invoice and its customer loaded (nothing for shadow invoices or a customer
 * without an address), the greeting, the sign-off, and sending through sendCustomerEmail (logged, withheld for
 * dual-run customers). `compose` writes the rest from the invoice and its amount due, already formatted.
 */
async function sendInvoiceEmail(client: Db, invoiceId: string, compose: (invoice: InvoiceContext, due: string) => InvoiceEmail | Promise<InvoiceEmail>): Promise<InvoiceEmailOutcome> {
  const invoice = await invoiceContext(client, invoiceId);
  if (!invoice) return { status: "not_sent", error: null };
  const email = await compose(invoice, formatMoney(amountDueCents(invoice), invoice.currency));
  return sendCustomerEmail(client, {
    customerId: invoice.customerId,
    to: invoice.customer.email!,
    kind: email.kind,
    relatedId: email.relatedId ?? invoice.id,
    subject: email.subject,
    text: `Hello ${invoice.customer.displayName ?? invoice.customer.legalName},\n\n${email.body}\n\n— Nexa Billing\nQuestions? Reply to this e-mail.`,
    attachments: email.attachments,
  });
}

const invoicePage = (invoiceId: string) => `${publicBaseUrl()}/portal/invoices/${invoiceId}`;

function nextDunningStep(invoice: InvoiceContext) {
  const process = invoice.dunning;
  return process ? nextDunningAction(process.campaign, process.startedAt, process.step) : null;
}

/** After a failed charge: what failed, when we try again (or when service is suspended), and how to fix it. */
export async function sendDunningReminder(client: Db, invoiceId: string, now: Date) {
  await sendInvoiceEmail(client, invoiceId, (invoice, due) => {
    const tz = invoice.customer.timezone;
    const next = nextDunningStep(invoice);
    const nextLine = !next
      ? ""
      : next.kind === "retry"
        ? `We will try your card again on ${formatDate(next.at, tz)}.`
        : `If it is still unpaid on ${formatDate(next.at, tz)}, your ${invoice.service.name} subscriptions will be suspended.`;
    const step = invoice.dunning ? invoice.dunning.step + 1 : 1;
    return {
      kind: "dunning_reminder",
      subject: `Payment failed for invoice ${invoice.number} (${due})`,
      body: `We could not charge your card for invoice ${invoice.number} of ${invoice.issuingDate ? formatDate(invoice.issuingDate, "UTC") : formatDate(now, tz)} (${due} due, reminder ${step}). ${nextLine}\n\nPay now or update your card: ${invoicePage(invoice.id)}`,
    };
  });
}

/** An off-session charge the bank wants the customer to confirm (3D Secure): a link to pay on-session. */
export async function sendPaymentActionRequired(client: Db, invoiceId: string, now: Date) {
  await sendInvoiceEmail(client, invoiceId, (invoice, due) => ({
    kind: "payment_action_required",
    subject: `Action needed: confirm your payment for invoice ${invoice.number} (${due})`,
    body: `Your bank asks you to confirm the payment of invoice ${invoice.number} (${due}) before it can go through; we did not charge your card on ${formatDate(now, invoice.customer.timezone)}. Nothing is overdue because of this — confirm the payment here: ${invoicePage(invoice.id)}`,
  }));
}

/** A card the bank declined for good (lost, stolen, closed — or "do not try again"): we will not retry it. */
export async function sendNewCardNeeded(client: Db, invoiceId: string, now: Date) {
  await sendInvoiceEmail(client, invoiceId, (invoice, due) => {
    const next = nextDunningStep(invoice);
    const suspension = next ? ` If it is still unpaid on ${formatDate(next.at, invoice.customer.timezone)}, your ${invoice.service.name} subscriptions may be suspended.` : "";
    return {
      kind: "new_card_needed",
      subject: `New card needed for invoice ${invoice.number} (${due})`,
      body: `Your bank declined your card for invoice ${invoice.number} of ${formatDate(now, invoice.customer.timezone)} and asked us not to try it again, so we will not.${suspension}\n\nAdd a new card and pay: ${invoicePage(invoice.id)}`,
    };
  });
}

export async function sendSuspensionNotice(client: Db, invoiceId: string, now: Date) {
  await sendInvoiceEmail(client, invoiceId, (invoice, due) => ({
    kind: "suspension_notice",
    subject: `${invoice.service.name} suspended: invoice ${invoice.number} is unpaid`,
    body: `Invoice ${invoice.number} (${due}) is still unpaid after our last attempt on ${formatDate(now, invoice.customer.timezone)}, so your ${invoice.service.name} subscriptions are suspended. Paying the invoice resumes them: ${invoicePage(invoice.id)}`,
  }));
}

export async function sendPaymentReceipt(client: Db, invoiceId: string, paymentId: string) {
  const payment = await client.payment.findUniqueOrThrow({ where: { id: paymentId } });
  await sendInvoiceEmail(client, invoiceId, (invoice) => ({
    kind: "payment_receipt",
    relatedId: payment.id,
    subject: `Receipt: invoice ${invoice.number} paid`,
    body: `We received ${formatMoney(payment.amountCents, payment.currency)} for invoice ${invoice.number}. Thank you.\n\nYour invoices: ${publicBaseUrl()}/portal/invoices`,
  }));
}

/**
 * A newly issued invoice, its PDF attached, with a pay link (lib/portal/invoice-pay-link.ts) that opens this invoice's
 * page in the portal, signed in for this invoice only, where it can be paid on-session.
 */
export async function sendInvoiceIssued(client: Db, invoiceId: string, attachment: { filename: string; content: Buffer }, now = new Date()) {
  return sendInvoiceEmail(client, invoiceId, async (invoice, due) => {
    const card = await client.paymentMethod.findFirst({ where: { customerId: invoice.customerId, isDefault: true } });
    const total = formatMoney(invoice.totalCents, invoice.currency);
    const dueDate = invoice.paymentDueDate ? formatDate(invoice.paymentDueDate, "UTC") : null;
    const owed = amountDueCents(invoice) > BigInt(0);
    const payLine = !owed
      ? `Nothing is left to pay${invoice.amountPaidCents > BigInt(0) || invoice.creditsAppliedCents > BigInt(0) ? ": your account credit covered it" : ""}. View it online: ${invoicePayLink(invoice, now.getTime())}`
      : card
        ? `${due} is due${dueDate ? ` by ${dueDate}` : ""}; we will charge your ${card.brand ?? "card"} ending in ${card.last4} automatically. View or pay it now: ${invoicePayLink(invoice, now.getTime())}`
        : `${due} is due${dueDate ? ` by ${dueDate}` : ""}. Pay online: ${invoicePayLink(invoice, now.getTime())}`;
    return {
      kind: "invoice_issued",
      subject: owed ? `Invoice ${invoice.number} from Nexa: ${due} due${dueDate ? ` by ${dueDate}` : ""}` : `Invoice ${invoice.number} from Nexa (paid)`,
      body: `Your ${invoice.service.name} invoice ${invoice.number} is ready (total ${total}); the PDF is attached.\n\n${payLine}`,
      attachments: [{ filename: attachment.filename, content: attachment.content, contentType: "application/pdf" }],
    };
  });
}

/** A reminder of an unpaid invoice past its due date, for a customer without a card on file (card customers are dunned). */
export async function sendOverdueReminder(client: Db, invoiceId: string, daysOverdue: number, now = new Date()) {
  return sendInvoiceEmail(client, invoiceId, (invoice, due) => ({
    kind: "overdue_reminder",
    subject: `Reminder: invoice ${invoice.number} is overdue (${due})`,
    body: `Invoice ${invoice.number} for ${invoice.service.name} was due on ${invoice.paymentDueDate ? formatDate(invoice.paymentDueDate, "UTC") : "its due date"} and ${due} is still unpaid (${daysOverdue} ${daysOverdue === 1 ? "day" : "days"} overdue). If you have already paid, thank you, and please ignore this reminder.\n\nPay online: ${invoicePayLink(invoice, now.getTime())}`,
  }));
}

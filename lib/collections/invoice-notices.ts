import { uuidArray } from "@/lib/db/sql";
import { timeOrderedId } from "@/lib/db/time-ordered-id";
import type PgBoss from "pg-boss";
import { daysInclusive, localDate } from "@/lib/billing/calendar-date";
import type { Db } from "@/lib/db/prisma";
import { Prisma, type InvoiceNotice } from "@/lib/generated/prisma/client";
import type { TextRowReader } from "@/lib/db/transaction-connection";
import type { BinaryCopyRows } from "@/lib/db/copy-binary";
import { invoiceDocument } from "@/lib/documents/ledger-documents";
import { renderBillingDocumentPdf } from "@/lib/documents/render-pdf";
import { companyProfile } from "@/lib/invoicing/company-profile";
import { sendInvoiceIssued, sendOverdueReminder, type InvoiceEmailOutcome } from "@/lib/mail/billing-emails";
import { recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";

/**
 * What customers and apps are told about an issued invoice, each thing once (InvoiceNotice is the claim, unique per
 * invoice, kind and step):
 *
 * - `invoice_issued`: the e-mail with the PDF and a pay link. Queued in the issuing transaction
 *   (queueInvoiceIssuedEmails; the period close writes its rows with encodeInvoiceIssuedNotices) and sent by the
 *   invoice-notices job, so a mail server that is down never blocks or rolls back issuing: a failed send is retried
 *   with back-off (1 min, 5 min, 30 min, 2 h, 12 h), then left as failed.
 * - `payment_overdue_webhook`: Lago's `invoice.payment_overdue`, recorded once when an unpaid invoice passes its due
 *   date (the day after it, in the customer's timezone), in the same transaction as its claim.
 * - `overdue_reminder`: an e-mail on each day of the company profile's schedule (overdueReminderDays: days after the
 *   due date) to customers without a card on file (card customers are chased by dunning). Only the latest step reached
 *   is sent: an invoice found 20 days overdue on a 1, 7, 14, 30 schedule gets the 14-day reminder, not three at once.
 *
 * Only live invoices are concerned: never a shadow invoice or one of a service still in shadow mode, and
 * sendCustomerEmail withholds e-mail from customers known only to dual-run services. The job runs every minute (and
 * after each billing run) on any number of app instances: claims are rows, sends are leased (a worker that dies
 * mid-send is taken over after the lease), so each notice goes out once.
 */
export const INVOICE_NOTICES_QUEUE = "invoice-notices";
export const INVOICE_NOTICES_CRON = process.env.NEXA_NOTICES_CRON ?? "* * * * *";

export type InvoiceNoticeKind = "invoice_issued" | "overdue_reminder" | "payment_overdue_webhook";

const RETRY_DELAYS_MS = [60_000, 300_000, 1_800_000, 7_200_000, 43_200_000];
const LEASE_MS = 5 * 60_000;
const BATCH = 50;

/** The issue path's call: queue the invoice-issued e-mail of each live, issued invoice (idempotent). */
export async function queueInvoiceIssuedEmails(tx: Prisma.TransactionClient, invoiceIds: string[]): Promise<void> {
  if (invoiceIds.length === 0) return;
  // The invoices are found by id alone (a materialised step), then filtered: asked in one scan, PostgreSQL may read
  // every issued invoice of the service through its (service, status) index when its statistics are out of date
  // (during a large period close), and then each batch costs the whole ledger.
  // Notice ids are made here, time-ordered (see timeOrderedId).
  const noticeIds = invoiceIds.map(() => timeOrderedId());
  await tx.$executeRaw`
    WITH named AS MATERIALIZED (SELECT id, "serviceId", shadow, status FROM "Invoice" WHERE id = ANY(${uuidArray(invoiceIds)}))
    INSERT INTO "InvoiceNotice" (id, "invoiceId", kind, step, status, "nextAttemptAt")
    SELECT n.notice, i.id, 'invoice_issued', 0, 'pending', now()
      FROM named i JOIN unnest(${uuidArray(invoiceIds)}, ${uuidArray(noticeIds)}) AS n(invoice, notice) ON n.invoice = i.id
      JOIN "Service" s ON s.id = i."serviceId"
     WHERE NOT i.shadow AND s.mode = 'live' AND i.status IN ('finalized', 'paid')
    ON CONFLICT ("invoiceId", kind, step) DO NOTHING`;
}

/**
 * The period close's form of the same call, for invoices it issues later in the same transaction: their notice rows in
 * binary COPY (columns INVOICE_ISSUED_NOTICE_COLUMNS), which the close writes with the invoices' other details before it
 * takes the invoice number series (the invoices are written under it, and the notices' key to them is deferred to the
 * close's commit). The caller passes only live invoices it is issuing, never shadow ones; those of a service not in
 * live mode are left out here. Their invoices are new in the transaction, so no notice of theirs exists yet.
 */
export async function encodeInvoiceIssuedNotices(rows: TextRowReader, invoices: { id: string; serviceId: string }[], into: BinaryCopyRows): Promise<void> {
  if (invoices.length === 0) return;
  const live = new Set((await rows(Prisma.sql`SELECT id::text FROM "Service" WHERE id = ANY(${uuidArray([...new Set(invoices.map((i) => i.serviceId))])}) AND mode = 'live'`)).map(([id]) => id));
  for (const invoice of invoices) if (live.has(invoice.serviceId)) into.row(5).newTimeOrderedId().uuid(invoice.id).text("invoice_issued").int4(0).text("pending");
}

export const INVOICE_ISSUED_NOTICE_COLUMNS = `id, "invoiceId", kind, step, status`;

/** Normalises a reminder schedule: whole days from 1 to 365, ascending, each once, at most 10. */
export function reminderSchedule(days: number[]): number[] {
  return [...new Set(days.filter((d) => Number.isInteger(d) && d >= 1 && d <= 365))].sort((a, b) => a - b).slice(0, 10);
}

export function noticeLabel(notice: Pick<InvoiceNotice, "kind" | "step">): string {
  if (notice.kind === "invoice_issued") return "Invoice e-mail (PDF and pay link)";
  if (notice.kind === "overdue_reminder") return `Overdue reminder (${notice.step} ${notice.step === 1 ? "day" : "days"} after the due date)`;
  if (notice.kind === "payment_overdue_webhook") return "invoice.payment_overdue webhook";
  return notice.kind;
}

/** Records `invoice.payment_overdue` once for each invoice that has become overdue. Returns how many. */
export interface NoticeScope {
  /** Only this customer's invoices (a console action, a test); every customer's by default. */
  customerId?: string;
}

const NO_SCOPE: NoticeScope = {};

export async function recordOverdueWebhooks(client: Db, now = new Date(), scope = NO_SCOPE): Promise<number> {
  const customerId = scope.customerId ?? null;
  const due = await client.$queryRaw<{ id: string; serviceId: string }[]>`
    SELECT i.id, i."serviceId"
      FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId" JOIN "Service" s ON s.id = i."serviceId"
     WHERE i.status = 'finalized' AND NOT i.shadow AND s.mode = 'live'
       AND i."paymentDueDate" < (${now}::timestamptz AT TIME ZONE c.timezone)::date
       AND i."totalCents" - i."creditsAppliedCents" - i."amountPaidCents" > 0
       AND NOT EXISTS (SELECT 1 FROM "InvoiceNotice" n WHERE n."invoiceId" = i.id AND n.kind = 'payment_overdue_webhook')
       AND (${customerId}::uuid IS NULL OR i."customerId" = ${customerId}::uuid)
     ORDER BY i."paymentDueDate", i.id
     LIMIT 1000`;
  let recorded = 0;
  for (const invoice of due) {
    const claimed = await client.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO "InvoiceNotice" (id, "invoiceId", kind, step, status, attempts, "sentAt")
        VALUES (gen_random_uuid(), ${invoice.id}::uuid, 'payment_overdue_webhook', 0, 'sent', 1, ${now})
        ON CONFLICT ("invoiceId", kind, step) DO NOTHING RETURNING id`;
      if (rows.length) await recordInvoiceEvents(tx, [invoice], () => ["invoice.payment_overdue"]);
      return rows.length > 0;
    });
    if (claimed) recorded += 1;
  }
  return recorded;
}

/** Claims the reminder due today for each overdue invoice of a customer without a card on file. Returns how many. */
export async function queueOverdueReminders(client: Db, now = new Date(), scope = NO_SCOPE): Promise<number> {
  const customerId = scope.customerId ?? null;
  const schedule = reminderSchedule((await companyProfile(client)).overdueReminderDays);
  if (schedule.length === 0) return 0;
  return client.$executeRaw`
    INSERT INTO "InvoiceNotice" (id, "invoiceId", kind, step, status, "nextAttemptAt")
    SELECT gen_random_uuid(), o.id, 'overdue_reminder', o.step, 'pending', ${now}
      FROM (SELECT i.id,
                   (SELECT max(d) FROM unnest(${schedule}::int[]) d
                     WHERE d <= (${now}::timestamptz AT TIME ZONE c.timezone)::date - i."paymentDueDate") AS step
              FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId" JOIN "Service" s ON s.id = i."serviceId"
             WHERE i.status = 'finalized' AND NOT i.shadow AND s.mode = 'live'
               AND i."paymentDueDate" < (${now}::timestamptz AT TIME ZONE c.timezone)::date
               AND i."totalCents" - i."creditsAppliedCents" - i."amountPaidCents" > 0
               AND NOT EXISTS (SELECT 1 FROM "PaymentMethod" pm WHERE pm."customerId" = i."customerId" AND pm."isDefault")
               AND (${customerId}::uuid IS NULL OR i."customerId" = ${customerId}::uuid)) o
     WHERE o.step IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM "InvoiceNotice" n WHERE n."invoiceId" = o.id AND n.kind = 'overdue_reminder' AND n.step >= o.step)
    ON CONFLICT ("invoiceId", kind, step) DO NOTHING`;
}

/** Takes up to `limit` e-mail notices due to be sent (new, to retry, or whose sender died), leasing them to this worker. */
async function claimEmails(client: Db, now: Date, limit: number, scope: NoticeScope): Promise<InvoiceNotice[]> {
  const customerId = scope.customerId ?? null;
  const leaseUntil = new Date(now.getTime() + LEASE_MS);
  return client.$queryRaw<InvoiceNotice[]>`
    UPDATE "InvoiceNotice" SET status = 'sending', "leaseUntil" = ${leaseUntil}, attempts = attempts + 1
     WHERE id IN (SELECT id FROM "InvoiceNotice"
                   WHERE kind IN ('invoice_issued', 'overdue_reminder')
                     AND ((status = 'pending' AND "nextAttemptAt" <= ${now}) OR (status = 'sending' AND "leaseUntil" < ${now}))
                     AND (${customerId}::uuid IS NULL OR "invoiceId" IN (SELECT id FROM "Invoice" WHERE "customerId" = ${customerId}::uuid))
                   ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING *`;
}

async function sendNotice(client: Db, notice: InvoiceNotice, now: Date): Promise<InvoiceEmailOutcome | "skipped"> {
  if (notice.kind === "invoice_issued") {
    const doc = await invoiceDocument(client, notice.invoiceId);
    const pdf = await renderBillingDocumentPdf(doc);
    return sendInvoiceIssued(client, notice.invoiceId, { filename: `${doc.number ?? "invoice"}.pdf`, content: pdf }, now);
  }
  // A reminder claimed for an invoice paid (or voided) since is not sent.
  const invoice = await client.invoice.findUniqueOrThrow({ where: { id: notice.invoiceId }, include: { customer: { select: { timezone: true } } } });
  if (invoice.status !== "finalized" || !invoice.paymentDueDate || invoice.totalCents - invoice.creditsAppliedCents - invoice.amountPaidCents <= BigInt(0)) return "skipped";
  // The days it is overdue today, in the customer's timezone (at least the step's, if sending was delayed).
  const dueDate = invoice.paymentDueDate.toISOString().slice(0, 10);
  const daysOverdue = Math.max(notice.step, daysInclusive(dueDate, localDate(now, invoice.customer.timezone)) - 1);
  return sendOverdueReminder(client, notice.invoiceId, daysOverdue, now);
}

/** Sends the e-mail notices due now; a failure is retried later with back-off. Returns the outcome of each. */
export async function deliverInvoiceEmails(client: Db, now = new Date(), scope = NO_SCOPE): Promise<{ sent: number; failed: number; skipped: number }> {
  const summary = { sent: 0, failed: 0, skipped: 0 };
  for (;;) {
    const batch = await claimEmails(client, now, BATCH, scope);
    for (const notice of batch) {
      let outcome: Awaited<ReturnType<typeof sendNotice>>;
      try {
        outcome = await sendNotice(client, notice, now);
      } catch (error) {
        outcome = { status: "failed", error: (error as Error).message };
      }
      let data: Prisma.InvoiceNoticeUpdateInput;
      if (outcome === "skipped" || outcome.status === "not_sent") {
        data = { status: "skipped", leaseUntil: null, lastError: outcome === "skipped" ? "No longer due" : "No e-mail address", sentAt: null };
        summary.skipped += 1;
      } else if (outcome.status === "failed") {
        const delay = RETRY_DELAYS_MS[notice.attempts - 1];
        data = delay === undefined
          ? { status: "failed", leaseUntil: null, lastError: outcome.error }
          : { status: "pending", leaseUntil: null, lastError: outcome.error, nextAttemptAt: new Date(now.getTime() + delay) };
        summary.failed += 1;
      } else {
        data = { status: outcome.status === "withheld_dual_run" ? "withheld" : "sent", leaseUntil: null, sentAt: now, lastError: null };
        summary.sent += 1;
      }
      await client.invoiceNotice.update({ where: { id: notice.id }, data });
    }
    if (batch.length < BATCH) return summary;
  }
}

/** One pass of the invoice-notices job. */
export async function runInvoiceNotices(client: Db, now = new Date(), scope = NO_SCOPE) {
  const overdueWebhooks = await recordOverdueWebhooks(client, now, scope);
  const remindersQueued = await queueOverdueReminders(client, now, scope);
  const emails = await deliverInvoiceEmails(client, now, scope);
  return { overdueWebhooks, remindersQueued, ...emails };
}

/** Registers the invoice-notices queue, its schedule and its worker (called where the billing jobs start). */
export async function startInvoiceNoticeJobs(boss: PgBoss, client: Db): Promise<void> {
  await boss.createQueue(INVOICE_NOTICES_QUEUE);
  await boss.schedule(INVOICE_NOTICES_QUEUE, INVOICE_NOTICES_CRON, {}, { tz: "UTC" });
  await boss.work(INVOICE_NOTICES_QUEUE, { batchSize: 1 }, async () => {
    const summary = await runInvoiceNotices(client);
    if (summary.failed) console.error("Invoice notices:", JSON.stringify(summary));
  });
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverInvoiceEmails, runInvoiceNotices } from "@/lib/collections/invoice-notices";
import { finalizeInvoice } from "@/lib/invoicing/finalize-invoice";
import { parseReminderDays } from "@/lib/settings/company-profile-settings";
import { generateWebhookSecret } from "@/lib/services/api-keys";
import { createTestService, testDb, uniqueSuffix, type TestService } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { mailsTo, waitForMail } from "../support/mail-catcher";
import { WebhookReceiver, waitFor } from "../support/webhook-receiver";
import { portalCookies, signInWith, staffCookies } from "../security/support";

// The invoice-issued e-mail, overdue reminders and `invoice.payment_overdue` (lib/collections/invoice-notices.ts).
// Invoices are dated May 2021 (due May 31 on 30-day terms); "now" moves through June and July 2021, and every pass is
// scoped to this file's customers, so suites running beside it are not touched.
const c = (n: number) => BigInt(n);
const ISSUED_AT = new Date("2021-05-01T12:00:00Z");
// The shared test machine can be slow: issuing gets the time the billing run gives it, not Prisma's default 5 s.
const TX = { timeout: 60_000, maxWait: 20_000 };
const PDF_MAGIC = Buffer.from("%PDF-").toString("base64").slice(0, 6);

describe("invoice notices: issued e-mail, overdue reminders, invoice.payment_overdue", () => {
  let svc: TestService;
  let receiver: WebhookReceiver;

  async function newCustomer(name: string, service = svc) {
    const email = `ap.${uniqueSuffix()}@notices.example`;
    const customer = await testDb().customer.create({ data: { legalName: name, email, province: "ON", country: "CA", netPaymentTermDays: 30 } });
    await testDb().accountLink.create({ data: { serviceId: service.id, externalId: `notice-${uniqueSuffix()}`, customerId: customer.id } });
    return { id: customer.id, email };
  }
  async function issue(customerId: string, subtotal: number, service = svc) {
    const tax = Math.round(subtotal * 0.13);
    const draft = await testDb().invoice.create({
      data: {
        customerId, serviceId: service.id, periodStart: new Date("2021-04-01T04:00:00Z"), periodEnd: new Date("2021-05-01T04:00:00Z"),
        issuingDate: new Date("2021-05-01T00:00:00Z"), subtotalCents: c(subtotal), taxesCents: c(tax), totalCents: c(subtotal + tax),
        lines: { create: [{ kind: "one_off", description: "Maps API", amountCents: c(subtotal) }] },
        taxes: { create: [{ code: "HST", name: "HST (ON)", rate: "13", taxableAmountCents: c(subtotal), amountCents: c(tax) }] },
      },
    });
    return testDb().$transaction((tx) => finalizeInvoice(tx, draft.id, ISSUED_AT), TX);
  }
  const notices = (invoiceId: string) => testDb().invoiceNotice.findMany({ where: { invoiceId }, orderBy: [{ kind: "asc" }, { step: "asc" }] });
  const overdueEvents = (invoiceId: string) => testDb().webhookEvent.count({ where: { eventType: "invoice.payment_overdue", objectId: invoiceId } });
  const reminders = async (email: string) => (await mailsTo(testEnv.mailUrl, email)).filter((m) => m.subject.startsWith("Reminder:"));

  beforeAll(async () => {
    svc = await createTestService("live");
    const secret = generateWebhookSecret();
    await testDb().service.update({ where: { id: svc.id }, data: { webhookSigningSecret: secret } });
    receiver = new WebhookReceiver(secret);
    await testDb().webhookEndpoint.create({ data: { serviceId: svc.id, url: await receiver.start(), eventTypes: [] } });
  });
  afterAll(async () => receiver?.stop());

  it("issuing queues one e-mail with the PDF and a pay link that opens that invoice only", async () => {
    const customer = await newCustomer("Mailed Invoice Ltd.");
    const other = await issue(customer.id, 2000);
    const invoice = await issue(customer.id, 10000);
    // Queued in the issuing transaction; nothing is sent until the job runs.
    expect((await notices(invoice.id)).map((n) => [n.kind, n.status])).toEqual([["invoice_issued", "pending"]]);

    await deliverInvoiceEmails(testDb(), new Date(), { customerId: customer.id });
    const mail = await waitForMail(testEnv.mailUrl, customer.email, (m) => m.subject.includes(invoice.number!));
    expect(mail.subject).toBe(`Invoice ${invoice.number} from Nexa: $113.00 due by May 31, 2021`);
    expect(mail.attachments).toEqual([expect.objectContaining({ filename: `${invoice.number}.pdf`, contentType: "application/pdf" })]);
    expect(mail.attachments[0].head.startsWith(PDF_MAGIC)).toBe(true);
    expect(mail.attachments[0].size).toBeGreaterThan(1000);
    expect((await notices(invoice.id))[0]).toMatchObject({ status: "sent", attempts: 1 });

    // Once: another pass (another instance, a restart) sends nothing more.
    await deliverInvoiceEmails(testDb(), new Date(), { customerId: customer.id });
    expect((await mailsTo(testEnv.mailUrl, customer.email)).filter((m) => m.subject.includes(invoice.number!))).toHaveLength(1);

    // The pay link signs a browser in for this invoice: its page (with the pay section) opens, nothing else does.
    const link = /https?:\/\/\S+\/portal\/pay\/(\S+)/.exec(mail.text);
    expect(link).not.toBeNull();
    const token = link![1];
    const page = await fetch(`${testEnv.baseUrl}/portal/pay/${token}`);
    expect(page.status).toBe(200);
    const { cookies, signedIn } = await signInWith("invoice-pay-link", { token });
    expect(signedIn).toBe(true);
    const get = (path: string) => fetch(`${testEnv.baseUrl}${path}`, { headers: { Cookie: cookies }, redirect: "manual" });
    const own = await get(`/portal/invoices/${invoice.id}`);
    expect(own.status).toBe(200);
    const html = await own.text();
    expect(html).toContain(invoice.number);
    expect(html).toMatch(/\$113\.00(<!-- -->)? due/);
    for (const path of [`/portal/invoices/${other.id}`, "/portal", "/portal/invoices", "/portal/payment-methods", "/portal/billing-details"]) {
      const res = await get(path);
      expect([303, 307, 308], path).toContain(res.status);
      expect(res.headers.get("location"), path).toContain("/portal/sign-in");
    }
    // A forged or altered token signs no one in.
    expect((await signInWith("invoice-pay-link", { token: token.replace(/.$/, (ch) => (ch === "A" ? "B" : "A")) })).signedIn).toBe(false);
    const [payload] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), i: other.id })).toString("base64url");
    expect((await signInWith("invoice-pay-link", { token: `${forged}.${token.split(".")[1]}` })).signedIn).toBe(false);
  });

  it("a failed send is retried later and never blocks issuing", async () => {
    const customer = await newCustomer("Flaky Mail Co.");
    const smtp = process.env.SMTP_URL;
    process.env.SMTP_URL = "smtp://127.0.0.1:9?ignoreTLS=true"; // nothing listens there
    let invoiceId = "";
    try {
      const invoice = await issue(customer.id, 3000);
      invoiceId = invoice.id;
      expect(invoice.status).toBe("finalized");
      const first = await deliverInvoiceEmails(testDb(), new Date(), { customerId: customer.id });
      expect(first).toMatchObject({ sent: 0, failed: 1 });
    } finally {
      process.env.SMTP_URL = smtp;
    }
    const [failed] = await notices(invoiceId);
    expect(failed).toMatchObject({ status: "pending", attempts: 1 });
    expect(failed.lastError).toBeTruthy();
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    // Not before its time; then it goes out.
    expect(await deliverInvoiceEmails(testDb(), new Date(), { customerId: customer.id })).toMatchObject({ sent: 0, failed: 0 });
    expect(await deliverInvoiceEmails(testDb(), new Date(Date.now() + 120_000), { customerId: customer.id })).toMatchObject({ sent: 1 });
    await waitForMail(testEnv.mailUrl, customer.email, (m) => m.subject.startsWith("Invoice "));
    expect((await notices(invoiceId))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("nothing is queued for a service still in shadow mode", async () => {
    const shadowService = await createTestService("shadow");
    const customer = await newCustomer("Shadow Only Inc.", shadowService);
    const invoice = await issue(customer.id, 1000, shadowService);
    expect(await notices(invoice.id)).toEqual([]);
    await runInvoiceNotices(testDb(), new Date("2021-06-10T12:00:00Z"), { customerId: customer.id });
    expect(await notices(invoice.id)).toEqual([]);
    expect(await overdueEvents(invoice.id)).toBe(0);
  });

  it("overdue: the webhook once, a reminder on each scheduled day for a customer without a card, each once", async () => {
    const customer = await newCustomer("Slow Payer Ltd.");
    const carded = await newCustomer("Card On File Inc.");
    await testDb().paymentMethod.create({ data: { customerId: carded.id, providerPaymentMethodId: `pm_${uniqueSuffix()}`, brand: "visa", last4: "4242", isDefault: true } });
    const invoice = await issue(customer.id, 5000); // $56.50, due May 31, 2021
    const cardInvoice = await issue(carded.id, 5000);
    const scope = { customerId: customer.id };
    const pass = (at: string, s = scope) => runInvoiceNotices(testDb(), new Date(at), s);

    // May 31 evening in Toronto (June 1 UTC) is not yet overdue.
    await pass("2021-06-01T03:00:00Z");
    expect(await overdueEvents(invoice.id)).toBe(0);
    // June 1 in Toronto: overdue — the webhook and the 1-day reminder.
    await pass("2021-06-01T14:00:00Z");
    expect(await overdueEvents(invoice.id)).toBe(1);
    await waitFor(() => receiver.accepted().find((r) => r.type === "invoice.payment_overdue" && JSON.stringify(r.body).includes(invoice.id)));
    const event = receiver.accepted().find((r) => r.type === "invoice.payment_overdue" && JSON.stringify(r.body).includes(invoice.id))!;
    expect(event.body).toMatchObject({ webhook_type: "invoice.payment_overdue", object_type: "invoice", invoice: { lago_id: invoice.id, payment_overdue: true, total_due_amount_cents: 5650 } });
    const first = await waitForMail(testEnv.mailUrl, customer.email, (m) => m.subject.startsWith("Reminder:"));
    expect(first.subject).toBe(`Reminder: invoice ${invoice.number} is overdue ($56.50)`);
    expect(first.text).toContain("1 day overdue");
    expect(first.text).toMatch(/\/portal\/pay\/\S+/);

    // Restarts and later passes the same day change nothing; June 3 is between steps.
    await pass("2021-06-01T20:00:00Z");
    await pass("2021-06-03T14:00:00Z");
    expect(await overdueEvents(invoice.id)).toBe(1);
    expect(await reminders(customer.email)).toHaveLength(1);

    // June 20 (20 days): the 14-day reminder only — the 7-day one, missed, is not sent late.
    await pass("2021-06-20T14:00:00Z");
    expect((await reminders(customer.email)).map((m) => /(\d+) days? overdue/.exec(m.text)?.[1])).toEqual(["1", "20"]);
    expect((await notices(invoice.id)).filter((n) => n.kind === "overdue_reminder").map((n) => [n.step, n.status])).toEqual([[1, "sent"], [14, "sent"]]);

    // Two app instances at once on day 30: one reminder.
    await Promise.all([pass("2021-06-30T14:00:00Z"), pass("2021-06-30T14:00:05Z")]);
    expect(await reminders(customer.email)).toHaveLength(3);
    expect(await overdueEvents(invoice.id)).toBe(1);

    // The card customer's invoice is overdue too (webhook), but dunning chases it: no reminder.
    await pass("2021-06-30T14:00:00Z", { customerId: carded.id });
    expect(await overdueEvents(cardInvoice.id)).toBe(1);
    expect(await reminders(carded.email)).toHaveLength(0);

    // Staff see what was sent on the invoice's page.
    const staffPage = await fetch(`${testEnv.baseUrl}/console/invoices/${invoice.id}`, { headers: { Cookie: await staffCookies() } });
    const html = await staffPage.text();
    for (const label of ["Customer notices", "Invoice e-mail (PDF and pay link)", "Overdue reminder (1 day after the due date)", "Overdue reminder (14 days after the due date)", "Overdue reminder (30 days after the due date)", "invoice.payment_overdue webhook"]) {
      expect(html).toContain(label);
    }
  });

  it("the reminder schedule is the company profile's", async () => {
    expect(parseReminderDays("1, 7, 14, 30")).toEqual([1, 7, 14, 30]);
    expect(parseReminderDays("30 1;7 7")).toEqual([1, 7, 30]);
    expect(parseReminderDays("")).toEqual([]);
    for (const bad of ["0", "366", "1.5", "-1", "a", "1,2,3,4,5,6,7,8,9,10,11"]) expect(parseReminderDays(bad), bad).toBeNull();

    const customer = await newCustomer("Custom Schedule Ltd.");
    const invoice = await issue(customer.id, 1000); // due May 31, 2021
    const profile = await testDb().companyProfile.findUnique({ where: { id: 1 } });
    await testDb().companyProfile.upsert({ where: { id: 1 }, update: { overdueReminderDays: [3] }, create: { id: 1, legalName: "Nexa Technologies Inc.", overdueReminderDays: [3] } });
    try {
      await runInvoiceNotices(testDb(), new Date("2021-06-02T14:00:00Z"), { customerId: customer.id }); // 2 days: none
      expect(await reminders(customer.email)).toHaveLength(0);
      await runInvoiceNotices(testDb(), new Date("2021-06-03T14:00:00Z"), { customerId: customer.id }); // 3 days
      expect((await notices(invoice.id)).filter((n) => n.kind === "overdue_reminder").map((n) => n.step)).toEqual([3]);
      expect((await reminders(customer.email)).map((m) => m.text.includes("3 days overdue"))).toEqual([true]);
    } finally {
      await testDb().companyProfile.update({ where: { id: 1 }, data: { overdueReminderDays: profile?.overdueReminderDays ?? [1, 7, 14, 30] } });
    }
  });

  it("a paid invoice gets no reminder and no overdue webhook", async () => {
    const customer = await newCustomer("Prompt Payer Ltd.");
    const invoice = await issue(customer.id, 1000);
    await testDb().invoice.update({ where: { id: invoice.id }, data: { status: "paid", amountPaidCents: invoice.totalCents, paymentStatus: "succeeded", paidAt: new Date("2021-05-20T12:00:00Z") } });
    await runInvoiceNotices(testDb(), new Date("2021-06-15T14:00:00Z"), { customerId: customer.id });
    expect(await overdueEvents(invoice.id)).toBe(0);
    expect((await notices(invoice.id)).map((n) => n.kind)).toEqual(["invoice_issued"]);
    // The portal session of another customer cannot open this invoice.
    const stranger = await newCustomer("Stranger Co.");
    const res = await fetch(`${testEnv.baseUrl}/portal/invoices/${invoice.id}`, { headers: { Cookie: await portalCookies(stranger.id) }, redirect: "manual" });
    expect(res.status).toBe(404);
  });
});

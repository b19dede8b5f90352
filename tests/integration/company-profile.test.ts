import { execFile } from "node:child_process";
import { readFileSync, rmSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "@/lib/db/migrations";
import { createPrismaClient, type Db } from "@/lib/db/prisma";
import { creditNoteDocument, invoiceDocument } from "@/lib/documents/ledger-documents";
import { renderBillingDocumentPdf } from "@/lib/documents/render-pdf";
import { DomainError } from "@/lib/errors";
import { issueCreditNote } from "@/lib/invoicing/credit-notes";
import { finalizeInvoice } from "@/lib/invoicing/finalize-invoice";
import { createFirstAdmin } from "@/lib/seed/first-admin";
import { companyProfileForm, updateCompanyProfile } from "@/lib/settings/company-profile-settings";
import { inspectPdf } from "../unit/documents/pdf-inspect";
import { testEnv } from "../support/env";
import { solidPng } from "../support/png";
import { createFreshDatabase } from "../support/test-database";

const run = promisify(execFile);

// Each case gets a database of its own: the company profile is one row, and other suites bill against the shared one.
async function freshDb(prefix: string): Promise<{ url: string; db: Db }> {
  const url = await createFreshDatabase(testEnv.adminUrl, prefix);
  await applyMigrations(url);
  return { url, db: createPrismaClient(url) };
}

const form = (overrides: Record<string, string> = {}) =>
  companyProfileForm.parse({
    legal_name: "Nexa Technologies Inc.", address_line1: "100 King Street West", address_line2: "", city: "Toronto", province: "on",
    postal_code: "M5X 1C7", country: "CA", email: "billing@nexa.example", gst_hst_number: "123456789rt0001", qst_number: "",
    bc_pst_number: "", mb_rst_number: "", sk_pst_number: "", default_payment_term_days: "45", invoice_grace_period_days: "0",
    invoice_footer: "Pay by EFT to account 12345.", ...overrides,
  });

describe("first start", () => {
  const opened: Db[] = [];
  afterAll(async () => Promise.all(opened.map((db) => db.$disconnect())));

  it("creates one administrator and nothing else, once", async () => {
    const { db } = await freshDb("nexa_first_start");
    opened.push(db);
    const first = await createFirstAdmin(db, { email: "Ops@Example.com" });
    expect(first).toMatchObject({ created: true, email: "ops@example.com" });
    expect(first.password!.length).toBeGreaterThanOrEqual(12);
    const staff = await db.staffUser.findMany();
    expect(staff.map((s) => [s.email, s.role])).toEqual([["ops@example.com", "admin"]]);
    expect(await db.service.count()).toBe(0);
    expect(await db.customer.count()).toBe(0);
    expect(await db.subscription.count()).toBe(0);
    expect(await db.companyProfile.count()).toBe(0);
    expect(await createFirstAdmin(db, { email: "someone@example.com" })).toMatchObject({ created: false });
    expect(await db.staffUser.count()).toBe(1);
    await expect(createFirstAdmin(db, { email: "not an address" })).rejects.toThrow(/not an e-mail/);
  });

  it("npm run db:seed creates only the admin; -- --demo adds the demo catalog once, keeping a real profile", async () => {
    const { url, db } = await freshDb("nexa_db_seed");
    opened.push(db);
    const env = { ...process.env, DATABASE_URL: url, ADMIN_EMAIL: "root@example.com", ADMIN_PASSWORD: "a-long-enough-password" };
    const plain = await run(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/db-seed.ts"], { env });
    // Not a terminal: the credentials go to a file only its owner reads, never to the output.
    expect(plain.stdout).toContain("Administrator created (no demo data). Output is not a terminal");
    expect(plain.stdout).not.toContain("a-long-enough-password");
    const file = /written to (\S+\.txt)/.exec(plain.stdout)![1];
    expect(readFileSync(file, "utf8")).toBe("E-mail:   root@example.com\nPassword: a-long-enough-password\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    rmSync(file);
    expect(await db.service.count()).toBe(0);
    expect((await db.staffUser.findMany()).map((s) => s.email)).toEqual(["root@example.com"]);

    await updateCompanyProfile(db, form({ legal_name: "Real Company Ltd." }), { kind: "keep" }, { staffId: (await db.staffUser.findFirstOrThrow()).id });
    const demo = await run(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/db-seed.ts", "--demo"], { env });
    expect(demo.stdout).toContain("Demo catalog seeded");
    const keys = /written to (\S+\.txt)/.exec(demo.stdout)![1];
    expect(readFileSync(keys, "utf8")).toMatch(/^API key \(nexacloud\): \S+\nAPI key \(nexachat\): \S+\n$/);
    rmSync(keys);
    expect((await db.service.findMany({ orderBy: { code: "asc" } })).map((s) => s.code)).toEqual(["nexachat", "nexacloud"]);
    expect(await db.customer.count()).toBe(3);
    expect(await db.staffUser.count()).toBe(1);
    expect((await db.companyProfile.findUniqueOrThrow({ where: { id: 1 } })).legalName).toBe("Real Company Ltd.");
    const again = await run(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/db-seed.ts", "--demo"], { env });
    expect(again.stdout).toContain("already there");
    expect(await db.customer.count()).toBe(3);
    await expect(run(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/db-seed.ts", "--bogus"], { env })).rejects.toMatchObject({ code: 2 });
  }, 120_000);
});

describe("company profile: what documents print", () => {
  let db: Db;
  let staffId: string;
  beforeAll(async () => {
    ({ db } = await freshDb("nexa_company_profile"));
    staffId = (await db.staffUser.create({ data: { email: "a@example.com", name: "A", passwordHash: "x", role: "admin" } })).id;
  });
  afterAll(async () => db?.$disconnect());

  async function draftInvoice(customerId: string, serviceId: string, issuingDate: string) {
    return db.invoice.create({
      data: {
        customerId, serviceId, periodStart: new Date("2026-10-01T04:00:00Z"), periodEnd: new Date("2026-11-01T04:00:00Z"),
        issuingDate: new Date(`${issuingDate}T00:00:00Z`), subtotalCents: BigInt(10000), taxesCents: BigInt(1300), totalCents: BigInt(11300),
        lines: { create: [{ kind: "one_off", description: "Consulting", amountCents: BigInt(10000) }] },
        taxes: { create: [{ code: "hst_on", name: "HST (ON)", rate: "13", taxableAmountCents: BigInt(10000), amountCents: BigInt(1300), registrationNumber: "123456789 RT0001" }] },
      },
    });
  }

  it("validates registration numbers, province and the logo", async () => {
    expect(form().gst_hst_number).toBe("123456789 RT0001");
    expect(form().province).toBe("ON");
    expect(form({ qst_number: "1234567890 tq 0001" }).qst_number).toBe("1234567890 TQ0001");
    expect(() => form({ gst_hst_number: "12345" })).toThrow(/9 digits, RT and 4 digits/);
    expect(() => form({ qst_number: "123456789 RT0001" })).toThrow(/10 digits, TQ/);
    expect(() => form({ province: "XX" })).toThrow(/province/);
    expect(() => form({ default_payment_term_days: "-1" })).toThrow();
    expect(() => form({ legal_name: " " })).toThrow();
    const notImage = await updateCompanyProfile(db, form(), { kind: "replace", bytes: Buffer.from("<svg onload=alert(1)>") }, { staffId }).catch((e) => e);
    expect(notImage).toBeInstanceOf(DomainError);
    expect((notImage as DomainError).details).toEqual({ logo: ["value_is_invalid"] });
    const huge = Buffer.concat([solidPng(1, 1, [0, 0, 0]), Buffer.alloc(512 * 1024)]);
    expect(((await updateCompanyProfile(db, form(), { kind: "replace", bytes: huge }, { staffId }).catch((e) => e)) as DomainError).details).toEqual({ logo: ["value_is_too_long"] });
    expect(await db.companyProfile.count()).toBe(0);
  });

  it("invoices and credit notes print the profile in force when each was issued; due dates follow the default terms", async () => {
    const firstLogo = solidPng(4, 2, [200, 0, 0]);
    await updateCompanyProfile(db, form(), { kind: "replace", bytes: firstLogo }, { staffId });
    const service = await db.service.create({ data: { code: "svc", name: "Service" } });
    const onDefaultTerms = await db.customer.create({ data: { legalName: "Default Terms Inc.", province: "ON", country: "CA" } });
    const ownTerms = await db.customer.create({ data: { legalName: "Own Terms Inc.", province: "ON", country: "CA", netPaymentTermDays: 10 } });
    const draft1 = await draftInvoice(onDefaultTerms.id, service.id, "2026-11-01");
    const draft2 = await draftInvoice(ownTerms.id, service.id, "2026-11-01");
    const now = new Date("2026-11-01T12:00:00Z");
    const issued1 = await db.$transaction((tx) => finalizeInvoice(tx, draft1.id, now));
    const issued2 = await db.$transaction((tx) => finalizeInvoice(tx, draft2.id, now));
    // 2026-11-01 + 45 days = 2026-12-16 (30 days of November, 15 of December); + 10 days = 2026-11-11.
    expect(issued1.paymentDueDate?.toISOString().slice(0, 10)).toBe("2026-12-16");
    expect(issued2.paymentDueDate?.toISOString().slice(0, 10)).toBe("2026-11-11");

    // The profile changes: a new name and address, a QST registration, another footer and logo, 30-day terms.
    const secondLogo = solidPng(2, 2, [0, 0, 200]);
    await updateCompanyProfile(db, form({ legal_name: "Nexa Holdings Inc.", address_line1: "1 Front Street", qst_number: "1234567890TQ0001", invoice_footer: "Thank you.", default_payment_term_days: "30" }),
      { kind: "replace", bytes: secondLogo }, { staffId });
    const audit = await db.auditLog.findMany({ where: { action: "company_profile.updated" }, orderBy: { createdAt: "asc" } });
    expect(audit).toHaveLength(2);
    expect((audit[1].data as { changed: string[] }).changed.sort()).toEqual(["addressLine1", "defaultPaymentTermDays", "invoiceFooter", "legalName", "logoId", "qstNumber"]);

    const old = await invoiceDocument(db, issued1.id);
    expect(old.seller.legalName).toBe("Nexa Technologies Inc.");
    expect(old.seller.addressLines[0]).toBe("100 King Street West");
    expect(old.seller.registrations).toEqual([{ label: "GST/HST", number: "123456789 RT0001" }]);
    expect(old.footer).toBe("Pay by EFT to account 12345.");
    expect(createHash("sha256").update(old.logo!.data).digest("hex")).toBe(createHash("sha256").update(firstLogo).digest("hex"));
    const oldPdf = await renderBillingDocumentPdf(old, { compress: false });
    const oldText = inspectPdf(oldPdf).pages.flatMap((p) => p.runs.map((r) => r.text)).join(" ");
    expect(oldText).toContain("Nexa Technologies Inc.");
    expect(oldText).toContain("Pay by EFT to account 12345.");
    expect(oldText).not.toContain("Nexa Holdings");
    expect(oldPdf.toString("latin1")).toContain("/Subtype /Image");

    // A credit note issued now on the old invoice prints the new profile; it keeps it after a later change.
    const note = await db.$transaction((tx) => issueCreditNote(tx, { invoiceId: issued1.id, reason: "other", kind: "credit", items: [{ amountCents: BigInt(1000), description: "Goodwill" }] }, now));
    await updateCompanyProfile(db, form({ legal_name: "Third Name Inc.", invoice_footer: "" }), { kind: "remove" }, { staffId });
    const noteDoc = await creditNoteDocument(db, note.id);
    expect(noteDoc.seller.legalName).toBe("Nexa Holdings Inc.");
    expect(noteDoc.seller.registrations).toEqual([{ label: "GST/HST", number: "123456789 RT0001" }, { label: "QST", number: "1234567890 TQ0001" }]);
    expect(noteDoc.footer).toBe("Thank you.");
    expect(createHash("sha256").update(noteDoc.logo!.data).digest("hex")).toBe(createHash("sha256").update(secondLogo).digest("hex"));
    // The customer printed on the credit note is also the one of the day it was issued.
    await db.customer.update({ where: { id: onDefaultTerms.id }, data: { legalName: "Renamed Later Inc." } });
    expect((await creditNoteDocument(db, note.id)).customer.legalName).toBe("Default Terms Inc.");

    // A draft shows the profile as it is now (nothing is frozen before issue): no logo, no footer.
    const draft3 = await draftInvoice(ownTerms.id, service.id, "2026-11-02");
    const draftDoc = await invoiceDocument(db, draft3.id);
    expect(draftDoc.seller.legalName).toBe("Third Name Inc.");
    expect(draftDoc.logo).toBeNull();
    expect(draftDoc.footer).toBeNull();
    // The old invoice's logo is still there after the profile dropped it.
    expect((await invoiceDocument(db, issued1.id)).logo).not.toBeNull();
  });
});

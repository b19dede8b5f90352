import { beforeAll, describe, expect, it } from "vitest";
import { searchConsole, SEARCH_MAX_LENGTH } from "@/lib/console/global-search";
import { listCustomers } from "@/lib/console/directory";
import { listInvoices } from "@/lib/console/invoices";
import { listPortalInvoices } from "@/lib/portal/portal-ledger";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { testDb, uniqueSuffix } from "../support/api-fixture";

/** The header's search box (→ /console/search), against the ledger's own rows. */
describe("console global search", () => {
  const p = uniqueSuffix();
  const ids = {} as Record<"maple" | "birch" | "gone" | "mapleInvoice" | "birchInvoice", string>;
  const mapleNumber = `INV-${p}-000417`;
  const birchNumber = `INV-${p}-000418`;

  beforeAll(async () => {
    const db = testDb();
    const service = await db.service.create({ data: { code: `search_${p}`, name: "Search Cloud" } });
    const maple = await db.customer.create({ data: { legalName: `Maple Leaf Robotics ${p} Inc.`, email: `ap-${p}@mapleleaf.example` } });
    const birch = await db.customer.create({ data: { legalName: `Birch Analytics ${p} Ltd.`, email: `billing_${p}@birch.example` } });
    const gone = await db.customer.create({ data: { legalName: `Maple Gone ${p} Inc.`, email: `gone-${p}@mapleleaf.example`, deletedAt: new Date() } });
    await db.accountLink.create({ data: { serviceId: service.id, customerId: maple.id, externalId: `acct-${p}-7731` } });
    await db.accountLink.create({ data: { serviceId: service.id, customerId: birch.id, externalId: `acct-${p}-9902` } });
    const period = { periodStart: new Date("2026-10-01T04:00:00Z"), periodEnd: new Date("2026-11-01T04:00:00Z") };
    const mapleInvoice = await db.invoice.create({ data: { customerId: maple.id, serviceId: service.id, number: mapleNumber, status: "finalized", ...period } });
    const birchInvoice = await db.invoice.create({ data: { customerId: birch.id, serviceId: service.id, number: birchNumber, status: "finalized", ...period } });
    Object.assign(ids, { maple: maple.id, birch: birch.id, gone: gone.id, mapleInvoice: mapleInvoice.id, birchInvoice: birchInvoice.id });
  });

  /** Runs the search in a READ ONLY transaction: Postgres refuses any write, so a pass proves the search only reads. */
  const search = (text: string) =>
    testDb().$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET TRANSACTION READ ONLY");
      return searchConsole(tx as unknown as Db, text);
    });
  const customerIds = (hits: Awaited<ReturnType<typeof search>>) => hits.customers.map((c) => c.id);

  it("finds a customer by part of the name, any case, and not the unrelated one", async () => {
    const hits = await search(`leaf robotics ${p}`);
    expect(customerIds(hits)).toEqual([ids.maple]);
    expect(hits.customers[0]).toMatchObject({ legalName: `Maple Leaf Robotics ${p} Inc.`, email: `ap-${p}@mapleleaf.example`, accounts: [`search_${p}: acct-${p}-7731`] });
    expect(hits.invoices).toEqual([]);
  });

  it("finds a customer by e-mail, and never a deleted one", async () => {
    expect(customerIds(await search(`billing_${p}@birch.example`))).toEqual([ids.birch]);
    expect(customerIds(await search(`${p}@mapleleaf.example`))).toEqual([ids.maple]);
    expect(customerIds(await search(`Maple Gone ${p}`))).toEqual([]);
  });

  it("finds a customer by a service's external account id", async () => {
    const hits = await search(`  acct-${p}-9902 `);
    expect(customerIds(hits)).toEqual([ids.birch]);
    expect(hits.invoices).toEqual([]);
  });

  it("finds an invoice by its number, with its own customer and total", async () => {
    const hits = await search(mapleNumber.toLowerCase());
    expect(hits.invoices).toEqual([{ id: ids.mapleInvoice, number: mapleNumber, customer: `Maple Leaf Robotics ${p} Inc.`, status: "finalized", totalCents: 0n, currency: "CAD" }]);
    expect(hits.customers).toEqual([]);
  });

  it("does not match across unrelated rows: LIKE wildcards are plain characters", async () => {
    // "_" and "%" would match any character(s) if they reached LIKE unescaped: "7_31" would find "7731".
    expect(customerIds(await search(`acct-${p}-7_31`))).toEqual([]);
    expect(customerIds(await search(`acct-${p}-%`))).toEqual([]);
    expect((await search(`INV-${p}-00041_`)).invoices).toEqual([]);
    expect(await search("%%")).toEqual({ customers: [], invoices: [] });
    // Escaped, they still match themselves.
    expect(customerIds(await search(`billing_${p}`))).toEqual([ids.birch]);
    // A prefix shared by both rows finds both, each once.
    expect((await search(`INV-${p}-0004`)).invoices.map((i) => i.id).sort()).toEqual([ids.mapleInvoice, ids.birchInvoice].sort());
  });

  it("takes LIKE wildcards literally in the console's and the portal's table filters too", async () => {
    const query = <S extends string>(sort: S, filter: string) => ({ page: 1, perPage: 50, sort, desc: false, filter });
    const customersFound = async (filter: string) => (await listCustomers(testDb(), query("legalName", filter))).rows.map((r) => r.id);
    const invoicesFound = async (filter: string) => (await listInvoices(testDb(), query("createdAt", filter), null)).rows.map((r) => r.id);
    expect(await customersFound(`acct-${p}-7_31`)).toEqual([]);
    expect(await customersFound(`acct-${p}-7731`)).toEqual([ids.maple]);
    expect(await customersFound(`billing_${p}`)).toEqual([ids.birch]);
    expect(await invoicesFound(`INV-${p}-00041_`)).toEqual([]);
    expect(await invoicesFound(`INV-${p}-%`)).toEqual([]);
    expect(await invoicesFound(`INV-${p}-000417`)).toEqual([ids.mapleInvoice]);
    const portal = async (filter: string) => (await listPortalInvoices(testDb(), ids.maple, query("issuingDate", filter))).rows.map((r) => r.id);
    expect(await portal("%")).toEqual([]);
    expect(await portal(`${p}-000417`)).toEqual([ids.mapleInvoice]);
  });

  it("answers nothing under two characters", async () => {
    expect(await search(" a ")).toEqual({ customers: [], invoices: [] });
  });

  it("refuses NUL and overlong input with a clear error, not a database error", async () => {
    for (const bad of [`acct-${p}\u0000`, "x".repeat(SEARCH_MAX_LENGTH + 1)]) {
      const error = await search(bad).catch((e: unknown) => e);
      expect(error, JSON.stringify(bad.slice(0, 20))).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ kind: "invalid", code: "validation_errors", details: { q: [bad.includes("\u0000") ? "value_is_invalid" : "value_is_too_long"] } });
    }
    // The longest accepted input still runs.
    expect(await search("x".repeat(SEARCH_MAX_LENGTH))).toEqual({ customers: [], invoices: [] });
  });
});

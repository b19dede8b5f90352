import { beforeAll, describe, expect, it } from "vitest";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";

describe("customers API (official Lago client)", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await createTestService();
  });

  it("creates a customer with Lago's response shape", async () => {
    const res = await svc.lago.customers.createCustomer({
      customer: {
        external_id: "cus-100", name: "Acme Canada", legal_name: "Acme Canada Inc.", email: "ap@acme.example",
        address_line1: "1 King St W", city: "Toronto", state: "on", zipcode: "M5H 1A1", country: "ca", timezone: "America/Toronto",
        tax_identification_number: "123456789RT0001",
      },
    });
    expect(res.status).toBe(200);
    const c = res.data.customer;
    expect(c).toMatchObject({
      external_id: "cus-100", name: "Acme Canada", legal_name: "Acme Canada Inc.", email: "ap@acme.example",
      state: "ON", country: "CA", currency: "CAD", timezone: "America/Toronto", tax_identification_number: "123456789RT0001",
    });
    expect(c.lago_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof c.created_at).toBe("string");
  });

  it("upserts on external_id, changing only the keys present", async () => {
    const res = await svc.lago.customers.createCustomer({ customer: { external_id: "cus-100", email: "billing@acme.example" } });
    expect(res.data.customer).toMatchObject({ email: "billing@acme.example", name: "Acme Canada", city: "Toronto", state: "ON" });
    const cleared = await svc.lago.customers.createCustomer({ customer: { external_id: "cus-100", city: null } });
    expect(cleared.data.customer.city).toBeNull();
    expect(cleared.data.customer.email).toBe("billing@acme.example");
    expect(await testDb().accountLink.count({ where: { serviceId: svc.id, externalId: "cus-100" } })).toBe(1);
  });

  it("gets, lists with pagination meta and deletes", async () => {
    for (let i = 0; i < 3; i++) await svc.lago.customers.createCustomer({ customer: { external_id: `page-${i}`, name: `Page ${i}` } });
    const got = await svc.lago.customers.findCustomer("page-1");
    expect(got.data.customer.name).toBe("Page 1");
    const page1 = await svc.lago.customers.findAllCustomers({ per_page: 2, page: 1 });
    expect(page1.data.customers).toHaveLength(2);
    expect(page1.data.meta).toEqual({ current_page: 1, next_page: 2, prev_page: null, total_pages: 2, total_count: 4 });
    const page2 = await svc.lago.customers.findAllCustomers({ per_page: 2, page: 2 });
    expect(page2.data.meta).toMatchObject({ current_page: 2, next_page: null, prev_page: 1 });
    const ids = [...page1.data.customers, ...page2.data.customers].map((c: { external_id: string }) => c.external_id).sort();
    expect(ids).toEqual(["cus-100", "page-0", "page-1", "page-2"]);

    const deleted = await svc.lago.customers.destroyCustomer("page-2");
    expect(deleted.data.customer.external_id).toBe("page-2");
    expect((await lagoFailure(svc.lago.customers.findCustomer("page-2"))).body).toEqual({ status: 404, error: "Not Found", code: "customer_not_found" });
    // The external id can be used again afterwards.
    expect((await svc.lago.customers.createCustomer({ customer: { external_id: "page-2", name: "Again" } })).data.customer.name).toBe("Again");
  });

  it("caps per_page at 100 and refuses a malformed page", async () => {
    const res = await svc.call("/customers?per_page=500");
    expect(res.status).toBe(200);
    expect((await svc.call("/customers?page=abc")).status).toBe(422);
  });

  it("validates fields with Lago's codes and writes nothing on error", async () => {
    const failure = await lagoFailure(svc.lago.customers.createCustomer({
      customer: { external_id: "cus-bad", email: "not-an-email", country: "ZZ", currency: "XXX1", timezone: "Mars/Olympus" } as never,
    }));
    expect(failure.status).toBe(422);
    expect(failure.body).toMatchObject({
      status: 422, error: "Unprocessable Entity", code: "validation_errors",
      error_details: { email: ["invalid_email_format"], country: ["not_a_valid_country_code"], currency: ["value_is_invalid"], timezone: ["invalid_timezone"] },
    });
    const province = await lagoFailure(svc.lago.customers.createCustomer({ customer: { external_id: "cus-bad", state: "XX", country: "CA" } }));
    expect(province.body).toMatchObject({ error_details: { state: ["value_is_invalid"] } });
    const missing = await lagoFailure(svc.lago.customers.createCustomer({ customer: { name: "No id" } as never }));
    expect(missing.body).toMatchObject({ error_details: { external_id: ["value_is_mandatory"] } });
    expect(await testDb().accountLink.count({ where: { serviceId: svc.id, externalId: "cus-bad" } })).toBe(0);
  });

  it("answers 400 for a missing root key and for malformed JSON", async () => {
    const noRoot = await svc.call("/customers", { method: "POST", json: { external_id: "x" } });
    expect(noRoot.status).toBe(400);
    expect(await noRoot.json()).toEqual({ status: 400, error: "BadRequest: param is missing or the value is empty or invalid: customer", code: "missing_root_key" });
    const malformed = await svc.call("/customers", { method: "POST", body: "{not json", headers: { "Content-Type": "application/json" } });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ status: 400, code: "malformed_json" });
    const wrongType = await svc.call("/customers", { method: "POST", json: { customer: { external_id: 42, net_payment_term: "thirty" } } });
    expect(wrongType.status).toBe(422);
    expect(await wrongType.json()).toMatchObject({ error_details: { external_id: ["value_is_invalid"], net_payment_term: ["value_is_invalid"] } });
  });

  it("links a second service to the same billing customer with billing_customer_id and a link token", async () => {
    const other = await createTestService();
    const original = (await svc.lago.customers.findCustomer("cus-100")).data.customer;
    // The service that bills the customer issues the consent (single use) for each new link.
    const linkToken = async () => {
      const res = await svc.call("/customers/cus-100/link_tokens", { method: "POST" });
      expect(res.status).toBe(200);
      return (await res.json()).link_token.token as string;
    };
    const linked = await svc.call("/customers", { method: "POST", json: { customer: { external_id: "acme-in-chat", billing_customer_id: original.lago_id, billing_link_token: await linkToken() } } });
    expect(linked.status).toBe(200);
    const viaOther = await other.call("/customers", { method: "POST", json: { customer: { external_id: "chat-acme", billing_customer_id: original.lago_id, billing_link_token: await linkToken() } } });
    const body = await viaOther.json();
    expect(body.customer).toMatchObject({ lago_id: original.lago_id, external_id: "chat-acme", legal_name: "Acme Canada Inc." });
    const links = await testDb().accountLink.findMany({ where: { customerId: original.lago_id, deletedAt: null } });
    expect(links.map((l) => l.externalId).sort()).toEqual(["acme-in-chat", "chat-acme", "cus-100"]);
    // A token names its customer: it cannot open another one.
    const unknown = await other.call("/customers", { method: "POST", json: { customer: { external_id: "x1", billing_customer_id: "00000000-0000-4000-8000-000000000000", billing_link_token: await linkToken() } } });
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toMatchObject({ code: "billing_link_token_invalid" });
  });

  it("never merges customers on a shared e-mail by itself", async () => {
    const other = await createTestService();
    await other.lago.customers.createCustomer({ customer: { external_id: "same-mail", email: "billing@acme.example" } });
    const mine = (await svc.lago.customers.findCustomer("cus-100")).data.customer;
    const theirs = (await other.lago.customers.findCustomer("same-mail")).data.customer;
    expect(theirs.lago_id).not.toBe(mine.lago_id);
  });

  it("leaves tax exemption to staff: a service cannot set it (403); sending the current value passes", async () => {
    const refused = await svc.call("/customers", { method: "POST", json: { customer: { external_id: "exempt-1", tax_exempt: true, tax_exemption_number: "FN-123" } } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ status: 403, code: "staff_only_fields", error_details: { tax_exempt: ["value_is_staff_only"], tax_exemption_number: ["value_is_staff_only"] } });
    expect(await testDb().accountLink.count({ where: { serviceId: svc.id, externalId: "exempt-1" } })).toBe(0);
    const echo = await svc.call("/customers", { method: "POST", json: { customer: { external_id: "exempt-1", tax_exempt: false } } });
    expect(echo.status).toBe(200);
    expect((await echo.json()).customer).toMatchObject({ tax_exempt: false });
  });

  it("returns a portal URL whose token opens that customer's portal", async () => {
    const res = await svc.lago.customers.getCustomerPortalUrl("cus-100");
    const url = new URL(res.data.customer.portal_url);
    expect(url.pathname).toMatch(/^\/portal\/access\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect((await lagoFailure(svc.lago.customers.getCustomerPortalUrl("nobody"))).status).toBe(404);
  });

  it("keeps one customer when many first calls race for one external id", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => svc.call("/customers", { method: "POST", json: { customer: { external_id: "race-1", name: `Racer ${i}` } } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await testDb().accountLink.count({ where: { serviceId: svc.id, externalId: "race-1" } })).toBe(1);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { createTestService, testDb, type TestService } from "../support/api-fixture";
import { builtAction, callFormAction } from "../support/server-action-http";
import { staffSession } from "../support/staff-sign-in";

/**
 * Linking a service's account to an existing customer needs the customer side's consent (a link token from the
 * console or from a service that already bills them); shared fields that are staff decisions stay out of reach.
 * Real HTTP against the running build, real Postgres.
 */
describe("linking consent and shared customer fields", () => {
  let owner: TestService;
  let intruder: TestService;
  let customerId: string;

  const link = (svc: TestService, externalId: string, extra: Record<string, unknown>) =>
    svc.call("/customers", { method: "POST", json: { customer: { external_id: externalId, ...extra } } });
  const mint = async (svc: TestService, externalId: string) => {
    const res = await svc.call(`/customers/${externalId}/link_tokens`, { method: "POST" });
    return { status: res.status, body: await res.json() };
  };
  const linksOf = (serviceId: string) => testDb().accountLink.count({ where: { serviceId, customerId, deletedAt: null } });

  beforeAll(async () => {
    owner = await createTestService();
    intruder = await createTestService();
    const created = await link(owner, "acct-1", { name: "Consenting Co.", email: "ap@consenting.example" });
    expect(created.status).toBe(200);
    customerId = (await created.json()).customer.lago_id;
  });

  it("refuses a link that only knows the customer's id (403 billing_link_token_required): no link, no portal", async () => {
    const res = await link(intruder, "stolen", { billing_customer_id: customerId });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ status: 403, error: "Forbidden", code: "billing_link_token_required", error_details: { billing_link_token: ["value_is_mandatory"] } });
    expect(await linksOf(intruder.id)).toBe(0);
    const portal = await intruder.call("/customers/stolen/portal_url");
    expect(portal.status).toBe(404);
    expect(await portal.json()).toMatchObject({ code: "customer_not_found" });
  });

  it("lets only a service that bills the customer mint a token: another service's external id is not found", async () => {
    const res = await mint(intruder, "acct-1");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: "customer_not_found" });
  });

  it("refuses forged, expired, reused and other-customer tokens", async () => {
    const forged = await link(intruder, "stolen", { billing_customer_id: customerId, billing_link_token: "nlt_forged-token-value" });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ code: "billing_link_token_invalid", error_details: { billing_link_token: ["value_is_invalid"] } });

    const expired = await mint(owner, "acct-1");
    await testDb().customerLinkToken.updateMany({ where: { customerId, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await link(intruder, "stolen", { billing_customer_id: customerId, billing_link_token: expired.body.link_token.token })).status).toBe(403);

    // A token the intruder got for its own customer does not open this one.
    expect((await link(intruder, "own", { name: "Own" })).status).toBe(200);
    const own = await mint(intruder, "own");
    const crossed = await link(intruder, "stolen", { billing_customer_id: customerId, billing_link_token: own.body.link_token.token });
    expect(crossed.status).toBe(403);
    expect(await crossed.json()).toMatchObject({ code: "billing_link_token_invalid" });
    expect(await linksOf(intruder.id)).toBe(0);
  });

  it("links with the owner's token, once: the token cannot be used again", async () => {
    const issued = await mint(owner, "acct-1");
    expect(issued.status).toBe(200);
    expect(issued.body.link_token).toMatchObject({ lago_customer_id: customerId, token: expect.stringMatching(/^nlt_/) });
    expect(new Date(issued.body.link_token.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    const stored = await testDb().customerLinkToken.findMany({ where: { customerId } });
    expect(stored.some((t) => t.tokenHash === issued.body.link_token.token)).toBe(false); // only its hash is kept

    const partner = await createTestService();
    const linked = await link(partner, "partner-1", { billing_customer_id: customerId, billing_link_token: issued.body.link_token.token });
    expect(linked.status).toBe(200);
    expect((await linked.json()).customer).toMatchObject({ lago_id: customerId, external_id: "partner-1" });
    // With consent given, the partner's portal link opens the shared customer.
    expect((await partner.call("/customers/partner-1/portal_url")).status).toBe(200);

    const reused = await link(intruder, "stolen", { billing_customer_id: customerId, billing_link_token: issued.body.link_token.token });
    expect(reused.status).toBe(403);
    expect(await linksOf(intruder.id)).toBe(0);
  });

  it("issues a token from the console (finance), which links; a viewer cannot issue one", async () => {
    const finance = await staffSession("finance");
    const action = builtAction("issueLinkTokenAction");
    const answer = await callFormAction(action, finance.cookies, { bound: [customerId] });
    const token = /"secret":"(nlt_[A-Za-z0-9_-]+)"/.exec(answer.text)?.[1];
    expect(token, answer.text).toBeTruthy();
    const partner = await createTestService();
    expect((await link(partner, "from-console", { billing_customer_id: customerId, billing_link_token: token })).status).toBe(200);

    const viewer = await staffSession("viewer");
    const refused = await callFormAction(action, viewer.cookies, { bound: [customerId] });
    expect(refused.text).toContain(`"code":"role_required"`);
    expect(refused.text).not.toContain("nlt_");
  });

  it("refuses a linked service changing tax exemption (403 staff_only_fields), and leaves it unchanged", async () => {
    await testDb().customer.update({ where: { id: customerId }, data: { taxExempt: true, taxExemptionNumber: "FN-1" } });
    const res = await owner.call("/customers", { method: "POST", json: { customer: { external_id: "acct-1", tax_exempt: false } } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "staff_only_fields", error_details: { tax_exempt: ["value_is_staff_only"] } });
    const number = await owner.call("/customers", { method: "POST", json: { customer: { external_id: "acct-1", tax_exemption_number: "FN-2" } } });
    expect(number.status).toBe(403);
    const customer = await testDb().customer.findUniqueOrThrow({ where: { id: customerId } });
    expect(customer).toMatchObject({ taxExempt: true, taxExemptionNumber: "FN-1" });
    // Echoing the current values (apps send back what they read) passes, and other fields still change.
    const echo = await owner.call("/customers", { method: "POST", json: { customer: { external_id: "acct-1", tax_exempt: true, tax_exemption_number: "FN-1", phone: "+1 416 555 0199" } } });
    expect(echo.status).toBe(200);
  });
});

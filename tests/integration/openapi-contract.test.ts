import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { beforeAll, describe, expect, it } from "vitest";
import { API_OPERATIONS } from "@/lib/api/openapi/operations";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { apiBase, createTestService, testDb, type TestService } from "../support/api-fixture";

// The published OpenAPI document against the running server: every route module's methods are documented, and real
// answers (successes and errors) validate against the document's own schemas, strictly (no undocumented field).

type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: { "application/json": { schema: unknown } } }> }>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, { content: { "application/json": { schema: unknown } } }> };
};

const API_DIR = path.join(process.cwd(), "app/api/billing/v1");

/** Route modules under the API and the HTTP methods each really serves (not the 405 answer). */
function servedRoutes(): { template: string; methods: string[] }[] {
  const found: { template: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry === "route.ts") {
        const source = readFileSync(full, "utf8");
        const methods = [...source.matchAll(/export (?:const|async function|function) (GET|POST|PUT|DELETE|PATCH)\b/g)].map((m) => m[1].toLowerCase());
        const relative = path.relative(API_DIR, dir).split(path.sep).join("/");
        if (relative.startsWith("[...")) continue; // the catch-all 404
        found.push({ template: `/${relative}`.replace(/\[([a-z_]+)\]/g, "{$1}"), methods });
      }
    }
  };
  walk(API_DIR);
  return found;
}

describe("OpenAPI document", () => {
  let doc: OpenApi;
  let ajv: Ajv2020;
  let svc: TestService;

  /** Validates one real answer against the schema the document gives for its operation and status. */
  async function expectConforms(method: string, template: string, response: Response): Promise<unknown> {
    const text = await response.text();
    const answer = doc.paths[template]?.[method]?.responses[String(response.status)];
    expect(answer, `${method.toUpperCase()} ${template} answered ${response.status}, which the document does not list: ${text}`).toBeDefined();
    const body = text === "" ? null : JSON.parse(text);
    const ref = answer!.$ref ? (answer!.$ref.replace("#/components/responses/", "") as string) : null;
    const schema = ref ? doc.components.responses[ref].content["application/json"].schema : answer!.content!["application/json"].schema;
    const validate = ajv.compile({ $ref: `openapi.json${(schema as { $ref: string }).$ref}` });
    if (!validate(body)) throw new Error(`${method.toUpperCase()} ${template} ${response.status} does not match the document: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 2000)}`);
    return body;
  }

  beforeAll(async () => {
    const response = await fetch(`${apiBase()}/openapi.json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as OpenApi;
    ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema(doc, "openapi.json");
    svc = await createTestService("live");
  });

  it("is OpenAPI 3.1 with valid JSON Schemas and is served without a key", async () => {
    expect(doc.openapi).toBe("3.1.0");
    // Fetched before compiling every schema: the compile holds the event loop for seconds on a loaded machine, long
    // enough for the server to close the idle keep-alive connection a later fetch would then reuse.
    const served = await fetch(`${apiBase()}/openapi.json`);
    const servedBody = await served.text();
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect(() => ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` }), name).not.toThrow();
      expect(schema).not.toHaveProperty("$schema");
    }
    await expectConforms("get", "/openapi.json", new Response(servedBody, { status: served.status }));
  });

  it("is strict: a real answer with an undocumented field or a wrong type fails validation", async () => {
    const validate = ajv.compile({ $ref: "openapi.json#/components/schemas/CustomerResponse" });
    const real = await (await svc.call("/customers", { method: "POST", json: { customer: { external_id: "strict-1", legal_name: "Strict Ltd." } } })).json();
    expect(validate(real)).toBe(true);
    expect(validate({ customer: { ...real.customer, surprise: 1 } })).toBe(false);
    expect(validate({ customer: { ...real.customer, created_at: 5 } })).toBe(false);
    expect(validate({ customer: { ...real.customer, lago_id: "not-a-uuid" } })).toBe(false);
  });

  it("documents exactly the operations the route modules serve", () => {
    const documented = new Set(API_OPERATIONS.map((op) => `${op.method} ${op.path}`));
    const served = servedRoutes();
    for (const { template, methods } of served) {
      for (const method of methods) {
        // `[action]` modules serve several documented paths (`/invoices/{id}/finalize`, …).
        const dynamicAction = template.endsWith("/{action}");
        const matches = dynamicAction
          ? [...documented].filter((key) => key.startsWith(`${method} ${template.replace("/{action}", "/")}`))
          : [...documented].filter((key) => key === `${method} ${template}`);
        expect(matches.length, `${method.toUpperCase()} ${template} is served but not documented`).toBeGreaterThan(0);
      }
    }
    for (const op of API_OPERATIONS) {
      const moduleOf = served.find((r) => r.template === op.path || (r.template.endsWith("/{action}") && op.path.startsWith(r.template.replace("/{action}", "/")) && op.path.split("/").length === r.template.split("/").length));
      expect(moduleOf?.methods, `${op.method.toUpperCase()} ${op.path} is documented but no route module serves it`).toContain(op.method);
    }
  });

  it("matches real answers of the catalog, customers, subscriptions and usage", async () => {
    const p = svc.code;
    const call = (method: string, template: string, concrete: string, json?: unknown) =>
      svc.call(concrete, { method: method.toUpperCase(), ...(json !== undefined ? { json } : {}) }).then((r) => expectConforms(method, template, r));

    await call("post", "/billable_metrics", "/billable_metrics", { billable_metric: { name: "Calls", code: `calls_${p}`, aggregation_type: "sum_agg", field_name: "n" } });
    await call("get", "/billable_metrics", "/billable_metrics?per_page=2");
    await call("get", "/billable_metrics/{code}", `/billable_metrics/calls_${p}`);
    await call("put", "/billable_metrics/{code}", `/billable_metrics/calls_${p}`, { billable_metric: { description: "API calls" } });
    await call("post", "/plans", "/plans", {
      plan: { name: "Std", code: `std_${p}`, interval: "monthly", amount_cents: 5000, amount_currency: "CAD",
        charges: [{ billable_metric_code: `calls_${p}`, charge_model: "graduated", properties: { graduated_ranges: [{ from_value: 0, to_value: null, per_unit_amount: "0.01", flat_amount: "0" }] } }] },
    });
    await call("get", "/plans", "/plans?per_page=3");
    await call("get", "/plans/{code}", `/plans/std_${p}`);
    await call("put", "/plans/{code}", `/plans/std_${p}`, { plan: { description: "Standard" } });

    await call("post", "/customers", "/customers", {
      customer: { external_id: "c-1", legal_name: "Contract Co.", state: "QC", country: "CA", email: "ap@contract.example", metadata: [{ key: "crm", value: "42" }] },
    });
    await call("get", "/customers", "/customers?external_id=c-1");
    await call("get", "/customers/{external_id}", "/customers/c-1");
    await call("get", "/customers/{external_id}/portal_url", "/customers/c-1/portal_url");
    await call("post", "/customers/{external_id}/link_tokens", "/customers/c-1/link_tokens");

    await call("post", "/subscriptions", "/subscriptions", { subscription: { external_customer_id: "c-1", plan_code: `std_${p}`, external_id: "s-1" } });
    await call("get", "/subscriptions", "/subscriptions?external_customer_id=c-1");
    await call("get", "/subscriptions/{external_id}", "/subscriptions/s-1");
    await call("put", "/subscriptions/{external_id}", "/subscriptions/s-1", { subscription: { name: "Main" } });

    await call("post", "/events", "/events", { event: { transaction_id: "t-1", code: `calls_${p}`, external_subscription_id: "s-1", properties: { n: 3 } } });
    await call("post", "/events/batch", "/events/batch", { events: [{ transaction_id: "t-2", code: `calls_${p}`, external_subscription_id: "s-1", properties: { n: 4 }, precise_total_amount_cents: "12.5" }] });
    await call("get", "/events", "/events?external_subscription_id=s-1");
    await call("get", "/events/{transaction_id}", "/events/t-1");
    await call("post", "/usage", "/usage", { usage: { external_subscription_id: "s-1", code: `calls_${p}`, timestamp: new Date().toISOString(), value: "2.5", idempotency_key: "u-1" } });
    await call("post", "/usage/batch", "/usage/batch", { usage: [{ external_subscription_id: "s-1", code: `calls_${p}`, timestamp: new Date().toISOString(), value: 1, idempotency_key: "u-2" }] });
    const usage = (await call("get", "/customers/{external_id}/current_usage", "/customers/c-1/current_usage?external_subscription_id=s-1")) as { customer_usage: { charges_usage: unknown[] } };
    expect(usage.customer_usage.charges_usage).toHaveLength(1);
    await call("post", "/costs", "/costs", { cost: { external_customer_id: "c-1", timestamp: new Date().toISOString(), cost_type: "sms", amount_cents: 12, amount_currency: "CAD", idempotency_key: "k-1" } });
    await call("post", "/costs/batch", "/costs/batch", { costs: [{ external_customer_id: "c-1", date: "2026-11-30", cost_type: "model_tokens", amount_cents: 3, amount_currency: "CAD", description: "tokens", idempotency_key: "k-2" }] });

    await call("post", "/webhook_endpoints", "/webhook_endpoints", { webhook_endpoint: { webhook_url: "https://hooks.example.com/billing", event_types: ["invoice.created"] } });
    const endpoints = (await call("get", "/webhook_endpoints", "/webhook_endpoints")) as { webhook_endpoints: { lago_id: string }[] };
    const endpointId = endpoints.webhook_endpoints[0].lago_id;
    await call("get", "/webhook_endpoints/{id}", `/webhook_endpoints/${endpointId}`);
    await call("put", "/webhook_endpoints/{id}", `/webhook_endpoints/${endpointId}`, { webhook_endpoint: { name: "Main" } });
    await call("delete", "/webhook_endpoints/{id}", `/webhook_endpoints/${endpointId}`);

    await call("delete", "/subscriptions/{external_id}", "/subscriptions/s-1");
    await call("delete", "/customers/{external_id}", "/customers/c-1");
    await call("delete", "/plans/{code}", `/plans/std_${p}`);
    await call("delete", "/billable_metrics/{code}", `/billable_metrics/calls_${p}`);
    await expectConforms("get", "/health", await fetch(`${apiBase()}/health`));
  });

  it("matches real answers of invoices and credit notes", async () => {
    const p = svc.code;
    await svc.lago.plans.createPlan({ plan: { name: "Flat", code: `flat_${p}`, interval: "monthly", amount_cents: 10000, amount_currency: "CAD", pay_in_advance: false } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "inv-1", legal_name: "Halifax Fish Co.", state: "NS", country: "CA", timezone: "America/Halifax" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "inv-1", plan_code: `flat_${p}`, external_id: "inv-sub", subscription_at: "2025-03-01T04:00:00Z" } });
    await runBillingCycle(testDb(), new Date("2025-04-02T00:00:00Z"), { serviceId: svc.id });
    const call = (method: string, template: string, concrete: string, json?: unknown) =>
      svc.call(concrete, { method: method.toUpperCase(), ...(json !== undefined ? { json } : {}) }).then((r) => expectConforms(method, template, r));

    const list = (await call("get", "/invoices", "/invoices?external_customer_id=inv-1")) as { invoices: { lago_id: string }[] };
    const id = list.invoices[0].lago_id;
    const invoice = (await call("get", "/invoices/{id}", `/invoices/${id}`)) as { invoice: { fees: { lago_id: string }[] } };
    await call("post", "/invoices/{id}/download", `/invoices/${id}/download`);
    const note = (await call("post", "/credit_notes", "/credit_notes", {
      credit_note: { invoice_id: id, reason: "other", items: [{ fee_id: invoice.invoice.fees[0].lago_id, amount_cents: 1000 }] },
    })) as { credit_note: { lago_id: string } };
    await call("get", "/credit_notes", "/credit_notes");
    await call("get", "/credit_notes/{id}", `/credit_notes/${note.credit_note.lago_id}`);
    await call("post", "/credit_notes/{id}/download", `/credit_notes/${note.credit_note.lago_id}/download`);
    await call("post", "/invoices/{id}/void", `/invoices/${id}/void`);
    // Refresh and finalize answer a finalized invoice with Lago's error, which the document describes too.
    await call("put", "/invoices/{id}/refresh", `/invoices/${id}/refresh`);
    await call("put", "/invoices/{id}/finalize", `/invoices/${id}/finalize`);
    // Previews: a termination and an upgrade of the running subscription, a new subscription for a prospect.
    await svc.lago.plans.createPlan({ plan: { name: "Big", code: `big_${p}`, interval: "monthly", amount_cents: 20000, amount_currency: "CAD", pay_in_advance: true } });
    await call("post", "/invoices/preview", "/invoices/preview", { customer: { external_id: "inv-1" }, subscriptions: { external_ids: ["inv-sub"] } });
    await call("post", "/invoices/preview", "/invoices/preview", { customer: { external_id: "inv-1" }, subscriptions: { external_ids: ["inv-sub"], plan_code: `big_${p}` } });
    await call("post", "/invoices/preview", "/invoices/preview", { customer: { country: "CA", state: "ON" }, plan_code: `flat_${p}` });
  });

  it("matches real answers of wallets and wallet transactions", async () => {
    await svc.lago.customers.createCustomer({ customer: { external_id: "wallet-1", legal_name: "Prepaid Maps Inc.", state: "QC", country: "CA", timezone: "America/Toronto" } });
    const call = (method: string, template: string, concrete: string, json?: unknown) =>
      svc.call(concrete, { method: method.toUpperCase(), ...(json !== undefined ? { json } : {}) }).then((r) => expectConforms(method, template, r));
    const created = (await call("post", "/wallets", "/wallets", { wallet: { external_customer_id: "wallet-1", rate_amount: "1", currency: "CAD", granted_credits: "20", paid_credits: "10" } })) as { wallet: { lago_id: string } };
    const id = created.wallet.lago_id;
    await call("get", "/wallets", "/wallets?external_customer_id=wallet-1");
    await call("get", "/wallets/{id}", `/wallets/${id}`);
    await call("put", "/wallets/{id}", `/wallets/${id}`, { wallet: { name: "Maps credit", priority: 10 } });
    await call("post", "/wallet_transactions", "/wallet_transactions", { wallet_transaction: { wallet_id: id, granted_credits: "5", voided_credits: "1" } });
    await call("get", "/wallets/{id}/wallet_transactions", `/wallets/${id}/wallet_transactions`);
    await call("delete", "/wallets/{id}", `/wallets/${id}`);
    await call("post", "/wallet_transactions", "/wallet_transactions", { wallet_transaction: { wallet_id: id, granted_credits: "5" } });
  });

  it("describes the errors real callers get", async () => {
    const anonymous = await fetch(`${apiBase()}/customers`);
    expect(anonymous.status).toBe(401);
    await expectConforms("get", "/customers", anonymous);
    const missing = await svc.call("/customers/nobody");
    expect(missing.status).toBe(404);
    await expectConforms("get", "/customers/{external_id}", missing);
    const invalid = await svc.call("/customers", { method: "POST", json: { customer: { external_id: "x", country: "Narnia" } } });
    expect(invalid.status).toBe(422);
    await expectConforms("post", "/customers", invalid);
    const malformed = await svc.call("/plans", { method: "POST", body: "{", headers: { "Content-Type": "application/json" } });
    expect(malformed.status).toBe(400);
    await expectConforms("post", "/plans", malformed);
  });
});

describe("request bodies: no field is accepted and ignored", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await createTestService("live");
  });
  const refusal = async (path: string, json: unknown) => {
    const response = await svc.call(path, { method: "POST", json });
    expect(response.status).toBe(422);
    return ((await response.json()) as { code: string; error_details: Record<string, string[]> });
  };

  it("refuses Lago fields that are not implemented with not_supported, and unknown keys with unknown_field", async () => {
    const p = svc.code;
    expect(await refusal("/customers", { customer: { external_id: "k-1", shipping_address: { city: "Laval" }, firstname: "Ana" } })).toMatchObject({
      code: "validation_errors", error_details: { shipping_address: ["not_supported"], firstname: ["not_supported"] },
    });
    expect((await refusal("/customers", { customer: { external_id: "k-1", adress_line1: "1 Main St" } })).error_details).toEqual({ adress_line1: ["unknown_field"] });
    const plan = { name: "P", code: `p_${p}`, interval: "yearly", amount_cents: 100 };
    // A fee without an invoice (Lago's non-invoiceable in-advance charge) and regrouped paid fees are not offered.
    const feeOnly = { billable_metric_code: "m", charge_model: "standard", pay_in_advance: true };
    expect((await refusal("/plans", { plan: { ...plan, charges: [{ ...feeOnly, invoiceable: false }] } })).error_details).toEqual({ "charges.0.invoiceable": ["not_supported"] });
    expect((await refusal("/plans", { plan: { ...plan, charges: [{ ...feeOnly, regroup_paid_fees: "invoice" }] } })).error_details).toEqual({ "charges.0.regroup_paid_fees": ["not_supported"] });
    expect((await refusal("/plans", { plan: { ...plan, tax_codes: ["gst"] } })).error_details).toEqual({ tax_codes: ["not_supported"] });
    expect((await refusal("/plans", { plan: { ...plan, minimum_commitment: { amount_cents: 100 } } })).error_details).toEqual({ minimum_commitment: ["not_supported"] });
    expect((await refusal("/events", { event: { transaction_id: "t", code: "c", external_subscription_id: "s", timestmap: 1 } })).error_details).toEqual({ timestmap: ["unknown_field"] });
    expect((await refusal("/usage/batch", { usage: [{ external_subscription_id: "s", code: "c", timestamp: "2026-01-01T00:00:00Z", value: 1, idempotency_key: "k", extra: true }] })).error_details).toEqual({ "0": { extra: ["unknown_field"] } });
    // What is implemented still passes: a zero trial, false flags and empty tax codes say "none".
    const created = await svc.call("/plans", { method: "POST", json: { plan: { ...plan, trial_period: 0, bill_charges_monthly: false, tax_codes: [] } } });
    expect(created.status).toBe(200);
    expect(await testDb().plan.count({ where: { code: `p_${p}` } })).toBe(1);
  });
});

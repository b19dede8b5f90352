import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real HTTP server speaking Lago's API v1 (the parts a migration reads), for tests: Bearer auth, singular/plural roots,
 * pagination `meta`, Lago's error bodies ({status, error, code}), `status[]` array filters as the official client sends
 * them (`status%5B%5D=…`), invoice lists without fees and single invoices with them. Seeded with a small hand-written
 * chat product (LAGO_DATASET): four customers, two plans with charges (a per-message usage charge, a graduated one and
 * a storage charge), subscriptions (one started mid-month, one terminated mid-month) and three months of finalized
 * invoices (August to October 2026) with fees and Canadian taxes.
 */

export interface LagoFixtureOptions {
  apiKey: string;
  /** Prefix of the metric codes (metric codes are unique across the whole catalog of the database under test). */
  prefix: string;
  /** Lago's per_page is uncapped; the fixture caps it so that tests walk several pages. */
  maxPerPage?: number;
}

type Json = Record<string, unknown>;

const TAX_RATES: Record<string, number> = { ON: 0.13, AB: 0.05, QC: 0.14975, BC: 0.12 };

const uuid = (seed: string) => {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** Hand-written usage and fees, per subscription and month: units per metric; amounts are what Lago billed (pre-tax). */
export interface LagoMonthBill {
  subscription: string;
  month: "2026-08" | "2026-09" | "2026-10";
  /** Subscription fee billed for the month (cents), its window (inclusive to), and its usage fees. */
  fee: number;
  from: string;
  to: string;
  usage: { metric: "messages" | "storage_gb"; units: string; amountCents: number }[];
  issuingDate: string;
  paymentStatus?: "succeeded" | "pending" | "failed";
}

export function lagoDataset(prefix: string) {
  const messages = `${prefix}messages`;
  const storage = `${prefix}storage_gb`;
  const metrics = [
    { lago_id: uuid(`${prefix}m1`), code: messages, name: "Messages sent", description: "Chat messages delivered", aggregation_type: "count_agg", field_name: null, recurring: false, rounding_function: null, rounding_precision: null, created_at: "2026-01-05T10:00:00Z", filters: [] },
    { lago_id: uuid(`${prefix}m2`), code: storage, name: "Attachment storage", description: null, aggregation_type: "max_agg", field_name: "gb", recurring: false, rounding_function: null, rounding_precision: null, created_at: "2026-01-05T10:00:00Z", filters: [] },
  ];
  const charge = (plan: string, metric: (typeof metrics)[number], model: string, properties: Json, n: number) => ({
    lago_id: uuid(`${prefix}${plan}c${n}`), lago_billable_metric_id: metric.lago_id, billable_metric_code: metric.code, code: `${plan}_${metric.code}`, invoice_display_name: null,
    created_at: "2026-01-05T10:00:00Z", charge_model: model, invoiceable: true, regroup_paid_fees: null, pay_in_advance: false, prorated: false, min_amount_cents: 0,
    accepts_target_wallet: false, properties, applied_pricing_unit: null, lago_parent_id: null, filters: [], taxes: [],
  });
  const plan = (code: string, name: string, amount: number, charges: Json[]) => ({
    lago_id: uuid(`${prefix}${code}`), name, invoice_display_name: null, created_at: "2026-01-05T10:00:00Z", code, interval: "monthly", description: `${name} chat plan`,
    amount_cents: amount, amount_currency: "CAD", trial_period: 0, pay_in_advance: false, bill_charges_monthly: null, bill_fixed_charges_monthly: null,
    customers_count: 0, active_subscriptions_count: 0, draft_invoices_count: 0, parent_id: null, pending_deletion: false, charges, fixed_charges: [], usage_thresholds: [], taxes: [], entitlements: [],
  });
  const plans = [
    // Basic: $29/month, one cent per message.
    plan("chat_basic", "Basic", 2900, [charge("chat_basic", metrics[0], "standard", { amount: "0.01" }, 1)]),
    // Team: $99/month, 1,000 messages free then half a cent each; attachment storage at 25 ¢ per GB (peak of the month).
    plan("chat_team", "Team", 9900, [
      charge("chat_team", metrics[0], "graduated", { graduated_ranges: [{ from_value: 0, to_value: 1000, per_unit_amount: "0", flat_amount: "0" }, { from_value: 1001, to_value: null, per_unit_amount: "0.005", flat_amount: "0" }] }, 1),
      charge("chat_team", metrics[1], "standard", { amount: "0.25" }, 2),
    ]),
  ];
  const customer = (external: string, name: string, state: string, city: string, zipcode: string, stripe: { via: "billing_configuration" | "metadata" | "none"; id?: string }) => ({
    lago_id: uuid(`${prefix}${external}`), external_id: external, billing_entity_code: "default", account_type: "customer", name, firstname: null, lastname: null, customer_type: "company",
    sequential_id: Number(external.slice(-1)), slug: `LAG-${external.slice(-1)}`, created_at: "2026-04-01T12:00:00Z", updated_at: "2026-10-01T12:00:00Z",
    address_line1: `${10 * Number(external.slice(-1))} Rue Principale`, address_line2: null, city, state, zipcode, country: "CA",
    email: `billing@${external}.example.com`, phone: null, url: null, logo_url: null, legal_name: `${name} Inc.`, legal_number: null, currency: "CAD",
    tax_identification_number: null, timezone: "UTC", applicable_timezone: "UTC", net_payment_term: 30, external_salesforce_id: null, finalize_zero_amount_invoice: "inherit",
    billing_configuration: stripe.via === "billing_configuration"
      ? { invoice_grace_period: 0, payment_provider: "stripe", payment_provider_code: "stripe_ca", provider_customer_id: stripe.id ?? null, sync: true, sync_with_provider: true, document_locale: "en" }
      : { invoice_grace_period: 0, payment_provider: null, payment_provider_code: null, provider_customer_id: null, document_locale: "en" },
    shipping_address: {}, skip_invoice_custom_sections: false,
    metadata: stripe.via === "metadata" ? [{ lago_id: uuid(`${prefix}${external}md`), key: "stripe_customer_id", value: stripe.id ?? "", display_in_invoice: false, created_at: "2026-04-01T12:00:00Z" }] : [],
    taxes: [], integration_customers: [], applicable_invoice_custom_sections: [], error_details: [],
  });
  const customers = [
    customer("chat_acct_1", "Maple Chat", "ON", "Ottawa", "K1A 0A1", { via: "billing_configuration" }),
    customer("chat_acct_2", "Prairie Talk", "AB", "Calgary", "T2P 1J9", { via: "metadata" }),
    customer("chat_acct_3", "Fjord Messaging", "QC", "Montréal", "H2X 1Y4", { via: "billing_configuration" }),
    customer("chat_acct_4", "Harbour Collective", "BC", "Vancouver", "V6B 1A1", { via: "none" }),
  ];
  const subscription = (external: string, customerIndex: number, planIndex: number, startedAt: string, terminatedAt: string | null) => ({
    lago_id: uuid(`${prefix}${external}`), external_id: external, lago_customer_id: customers[customerIndex].lago_id, external_customer_id: customers[customerIndex].external_id,
    name: null, plan_code: plans[planIndex].code, plan_amount_cents: plans[planIndex].amount_cents, plan_amount_currency: "CAD",
    status: terminatedAt ? "terminated" : "active", billing_time: "calendar", subscription_at: startedAt, started_at: startedAt, trial_ended_at: null, ending_at: null,
    terminated_at: terminatedAt, canceled_at: null, created_at: startedAt, previous_plan_code: null, next_plan_code: null, downgrade_plan_date: null,
    current_billing_period_started_at: "2026-11-01T00:00:00Z", current_billing_period_ending_at: "2026-11-30T23:59:59Z",
    on_termination_credit_note: null, on_termination_invoice: "generate", progressive_billing_disabled: false, consolidate_invoice: true,
  });
  const subscriptions = [
    subscription("chat_sub_1", 0, 0, "2026-06-01T00:00:00Z", null),
    subscription("chat_sub_2", 1, 1, "2026-07-15T00:00:00Z", null),
    subscription("chat_sub_3", 2, 0, "2026-09-10T00:00:00Z", null), // started mid-September: 21/30 of the fee
    subscription("chat_sub_4", 3, 0, "2026-05-01T00:00:00Z", "2026-09-15T12:00:00Z"), // left on September 15: 15/30
    // Signed up for November, never started: not billed, not imported.
    { ...subscription("chat_sub_5", 3, 1, "2026-12-01T00:00:00Z", null), status: "pending", started_at: null },
  ];
  const month = (m: string) => ({ from: `${m}-01T00:00:00Z`, to: `${m}-${m === "2026-09" ? "30" : "31"}T23:59:59Z` });
  const next = (m: string) => (m === "2026-08" ? "2026-09-01" : m === "2026-09" ? "2026-10-01" : "2026-11-01");
  const bills: LagoMonthBill[] = [];
  const add = (sub: string, m: LagoMonthBill["month"], fee: number, usage: LagoMonthBill["usage"], window?: { from: string; to: string }, issuingDate?: string) =>
    bills.push({ subscription: sub, month: m, fee, ...(window ?? month(m)), usage, issuingDate: issuingDate ?? next(m) });
  // Maple Chat, Basic: 1,234 / 2,100 / 987 messages at 1 ¢.
  add("chat_sub_1", "2026-08", 2900, [{ metric: "messages", units: "1234.0", amountCents: 1234 }]);
  add("chat_sub_1", "2026-09", 2900, [{ metric: "messages", units: "2100.0", amountCents: 2100 }]);
  add("chat_sub_1", "2026-10", 2900, [{ metric: "messages", units: "987.0", amountCents: 987 }]);
  // Prairie Talk, Team: messages over 1,000 at ½ ¢ (5,400 → 2,200 ¢; 800 → 0; 12,000 → 5,500 ¢), storage at 25 ¢/GB.
  add("chat_sub_2", "2026-08", 9900, [{ metric: "messages", units: "5400.0", amountCents: 2200 }, { metric: "storage_gb", units: "40.0", amountCents: 1000 }]);
  add("chat_sub_2", "2026-09", 9900, [{ metric: "messages", units: "800.0", amountCents: 0 }, { metric: "storage_gb", units: "44.0", amountCents: 1100 }]);
  add("chat_sub_2", "2026-10", 9900, [{ metric: "messages", units: "12000.0", amountCents: 5500 }, { metric: "storage_gb", units: "38.0", amountCents: 950 }]);
  // Fjord Messaging, Basic from September 10: 2,900 × 21/30 = 2,030 ¢.
  add("chat_sub_3", "2026-09", 2030, [{ metric: "messages", units: "300.0", amountCents: 300 }], { from: "2026-09-10T00:00:00Z", to: "2026-09-30T23:59:59Z" });
  add("chat_sub_3", "2026-10", 2900, [{ metric: "messages", units: "450.0", amountCents: 450 }]);
  // Harbour Collective, Basic until September 15 (the termination invoice, issued that day): 2,900 × 15/30 = 1,450 ¢.
  add("chat_sub_4", "2026-08", 2900, [{ metric: "messages", units: "500.0", amountCents: 500 }]);
  add("chat_sub_4", "2026-09", 1450, [{ metric: "messages", units: "200.0", amountCents: 200 }], { from: "2026-09-01T00:00:00Z", to: "2026-09-15T12:00:00Z" }, "2026-09-15");

  const invoices = bills.map((bill, n) => {
    const sub = subscriptions.find((s) => s.external_id === bill.subscription)!;
    const cust = customers.find((c) => c.external_id === sub.external_customer_id)!;
    const planRow = plans.find((p) => p.code === sub.plan_code)!;
    const rate = TAX_RATES[cust.state];
    const invoiceId = uuid(`${prefix}inv${n}`);
    const fee = (id: string, item: Json, amount: number, units: string, chargeId: string | null) => {
      const taxes = Math.round(amount * rate);
      return {
        lago_id: uuid(`${prefix}fee${n}${id}`), lago_charge_id: chargeId, lago_charge_filter_id: null, lago_invoice_id: invoiceId, lago_subscription_id: sub.lago_id,
        external_subscription_id: sub.external_id, lago_customer_id: cust.lago_id, external_customer_id: cust.external_id, item, pay_in_advance: false, invoiceable: true,
        amount_cents: amount, amount_currency: "CAD", precise_amount: (amount / 100).toFixed(2), precise_total_amount: ((amount + taxes) / 100).toFixed(2),
        taxes_amount_cents: taxes, taxes_precise_amount: (taxes / 100).toFixed(2), taxes_rate: rate * 100, total_amount_cents: amount + taxes, total_amount_currency: "CAD",
        units, description: null, precise_unit_amount: null, events_count: null, payment_status: bill.paymentStatus ?? "succeeded", created_at: `${bill.issuingDate}T00:05:00Z`,
        succeeded_at: null, failed_at: null, refunded_at: null, from_datetime: bill.from, to_datetime: bill.to, amount_details: {}, self_billed: false,
      };
    };
    const fees = [
      fee("sub", { type: "subscription", code: planRow.code, name: planRow.name, invoice_display_name: planRow.name, filter_invoice_display_name: null, filters: null, lago_item_id: sub.lago_id, item_type: "Subscription" }, bill.fee, "1.0", null),
      ...bill.usage.map((u) => {
        const metric = metrics.find((m) => m.code === (u.metric === "messages" ? messages : storage))!;
        const chargeRow = (planRow.charges as { lago_id: string; billable_metric_code: string }[]).find((c) => c.billable_metric_code === metric.code)!;
        return fee(u.metric, { type: "charge", code: metric.code, name: metric.name, invoice_display_name: metric.name, filter_invoice_display_name: null, filters: null, lago_item_id: metric.lago_id, item_type: "BillableMetric" }, u.amountCents, u.units, chargeRow.lago_id);
      }),
    ];
    const feesAmount = fees.reduce((s, f) => s + f.amount_cents, 0);
    const taxesAmount = fees.reduce((s, f) => s + f.taxes_amount_cents, 0);
    return {
      lago_id: invoiceId, billing_entity_code: "default", sequential_id: n + 1, number: `LAG-${bill.issuingDate.slice(0, 7).replace("-", "")}-${String(n + 1).padStart(3, "0")}`,
      purchase_order_number: null, issuing_date: bill.issuingDate, payment_due_date: bill.issuingDate, net_payment_term: 30, invoice_type: "subscription", status: "finalized",
      payment_status: bill.paymentStatus ?? "succeeded", payment_dispute_lost_at: null, payment_overdue: false, currency: "CAD", fees_amount_cents: feesAmount, taxes_amount_cents: taxesAmount,
      progressive_billing_credit_amount_cents: 0, coupons_amount_cents: 0, credit_notes_amount_cents: 0, sub_total_excluding_taxes_amount_cents: feesAmount,
      sub_total_including_taxes_amount_cents: feesAmount + taxesAmount, total_amount_cents: feesAmount + taxesAmount, total_due_amount_cents: bill.paymentStatus === "succeeded" || !bill.paymentStatus ? 0 : feesAmount + taxesAmount,
      total_paid_amount_cents: bill.paymentStatus === "succeeded" || !bill.paymentStatus ? feesAmount + taxesAmount : 0, prepaid_credit_amount_cents: 0, file_url: null, xml_url: null,
      version_number: 4, self_billed: false, created_at: `${bill.issuingDate}T00:05:00Z`, updated_at: `${bill.issuingDate}T00:05:00Z`, voided_at: null,
      customer: cust, metadata: [], applied_taxes: [], billing_periods: [{ lago_subscription_id: sub.lago_id, external_subscription_id: sub.external_id, lago_plan_id: planRow.lago_id, subscription_from_datetime: bill.from, subscription_to_datetime: bill.to, charges_from_datetime: bill.from, charges_to_datetime: bill.to, invoicing_reason: bill.issuingDate.endsWith("-15") ? "subscription_terminating" : "subscription_periodic" }],
      fees,
    };
  });
  return { metrics, plans, customers, subscriptions, invoices };
}

export type LagoDataset = ReturnType<typeof lagoDataset>;

/** The fixture server. `data` may be changed between calls (Lago's side moving on). */
export class LagoFixtureServer {
  readonly data: LagoDataset;
  /** Every request as received (method and path with query), for assertions on what was read. */
  readonly requests: { method: string; url: string }[] = [];
  private server: http.Server | null = null;
  private port = 0;

  constructor(private readonly options: LagoFixtureOptions) {
    this.data = lagoDataset(options.prefix);
  }

  /** The URL to configure, as Lago documents it for the client: the API root with /api/v1. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/v1`;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.apiUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  private send(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  }

  private error(res: http.ServerResponse, status: number, code?: string) {
    const phrase = { 400: "BadRequest", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 422: "Unprocessable Entity" }[status] ?? "Error";
    this.send(res, status, code ? { status, error: phrase, code } : { status, error: phrase });
  }

  private page(res: http.ServerResponse, key: string, rows: unknown[], query: URLSearchParams) {
    const perPage = Math.max(1, Math.min(Number(query.get("per_page") ?? 100) || 100, this.options.maxPerPage ?? Number.MAX_SAFE_INTEGER));
    const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
    const totalPages = Math.ceil(rows.length / perPage);
    const items = rows.slice((page - 1) * perPage, page * perPage);
    this.send(res, 200, {
      [key]: items,
      meta: rows.length === 0
        ? { current_page: 0, next_page: null, prev_page: null, total_pages: 0, total_count: 0 }
        : { current_page: page, next_page: page < totalPages ? page + 1 : null, prev_page: page > 1 ? page - 1 : null, total_pages: totalPages, total_count: rows.length },
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    this.requests.push({ method: req.method ?? "GET", url: req.url ?? "/" });
    const url = new URL(req.url ?? "/", "http://fixture");
    const auth = req.headers.authorization?.split(/\s+/)[1];
    if (auth !== this.options.apiKey) return this.error(res, 401);
    // The client may double a slash when the base URL ends with one; Lago's router tolerates it.
    const path = url.pathname.replace(/\/{2,}/g, "/");
    const q = url.searchParams;
    if (req.method !== "GET") return this.error(res, 405, "method_not_allowed");
    const d = this.data;
    if (path === "/api/v1/customers") return this.page(res, "customers", d.customers, q);
    if (path === "/api/v1/billable_metrics") return this.page(res, "billable_metrics", d.metrics, q);
    if (path === "/api/v1/plans") return this.page(res, "plans", d.plans, q);
    if (path === "/api/v1/subscriptions") {
      const statuses = q.getAll("status[]").length ? q.getAll("status[]") : ["active"];
      const customer = q.get("external_customer_id");
      return this.page(res, "subscriptions", d.subscriptions.filter((s) => statuses.includes(s.status) && (!customer || s.external_customer_id === customer)), q);
    }
    if (path === "/api/v1/invoices") {
      const from = q.get("issuing_date_from");
      const to = q.get("issuing_date_to");
      const type = q.get("invoice_type");
      const status = q.get("status");
      const customer = q.get("external_customer_id");
      const rows = d.invoices
        .filter((i) => (!from || i.issuing_date >= from) && (!to || i.issuing_date <= to) && (!type || i.invoice_type === type) && (!status || i.status === status) && (!customer || i.customer.external_id === customer))
        .map(({ fees: _fees, ...invoice }) => invoice); // lists leave fees out, as Lago's do
      return this.page(res, "invoices", rows, q);
    }
    const invoice = /^\/api\/v1\/invoices\/([^/]+)$/.exec(path);
    if (invoice) {
      const found = d.invoices.find((i) => i.lago_id === invoice[1]);
      return found ? this.send(res, 200, { invoice: found }) : this.error(res, 404, "invoice_not_found");
    }
    const customer = /^\/api\/v1\/customers\/([^/]+)$/.exec(path);
    if (customer) {
      const found = d.customers.find((c) => c.external_id === decodeURIComponent(customer[1]));
      return found ? this.send(res, 200, { customer: found }) : this.error(res, 404, "customer_not_found");
    }
    return this.error(res, 404, "resource_not_found");
  }
}

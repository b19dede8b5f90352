/**
 * Reading a Lago instance through its public API v1 with the official `lago-javascript-client`. Read-only: only GET
 * calls (lists walked page by page through Lago's `meta.next_page`, an invoice fetched alone for its fees).
 *
 * Outbound rule: the API URL must name a public address (lib/net/outbound-address.ts), checked on the literal URL and
 * again on what its name resolves to before each call; redirects are not followed. Tests allow loopback the way they do
 * for webhooks (NEXA_ALLOW_LOOPBACK_WEBHOOKS).
 */
import { Client, type Api } from "lago-javascript-client";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { hostRefusal } from "@/lib/net/outbound-address";
import { AddressNotAllowedError, checkedLookup } from "@/lib/webhooks/webhook-http";

export interface LagoConnection {
  /** Base URL of the instance's API, e.g. https://lago.example.com/api/v1 (the client appends /customers etc.). */
  apiUrl: string;
  apiKey: string;
}

export interface LagoCustomer {
  lago_id: string;
  external_id: string;
  sequential_id?: number | null;
  name: string | null;
  firstname?: string | null;
  lastname?: string | null;
  legal_name?: string | null;
  email: string | null;
  phone?: string | null;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  state: string | null;
  zipcode: string | null;
  country: string | null;
  currency: string | null;
  timezone: string | null;
  applicable_timezone?: string | null;
  tax_identification_number?: string | null;
  net_payment_term?: number | null;
  billing_configuration?: { payment_provider?: string | null; provider_customer_id?: string | null } | null;
  metadata?: { key: string; value: string }[] | null;
  created_at: string;
}

export interface LagoBillableMetric {
  lago_id: string;
  code: string;
  name: string;
  description: string | null;
  aggregation_type: string;
  field_name: string | null;
  recurring: boolean;
  rounding_function?: string | null;
  rounding_precision?: number | null;
}

export interface LagoCharge {
  lago_id: string;
  lago_billable_metric_id: string;
  billable_metric_code: string;
  code?: string | null;
  invoice_display_name: string | null;
  charge_model: string;
  pay_in_advance: boolean;
  prorated: boolean;
  min_amount_cents: number;
  properties: Record<string, unknown>;
}

export interface LagoPlan {
  lago_id: string;
  code: string;
  name: string;
  invoice_display_name: string | null;
  description: string | null;
  interval: string;
  amount_cents: number;
  amount_currency: string;
  pay_in_advance: boolean;
  trial_period: number | null;
  bill_charges_monthly: boolean | null;
  charges: LagoCharge[];
}

export interface LagoSubscription {
  lago_id: string;
  external_id: string;
  lago_customer_id: string;
  external_customer_id: string;
  name: string | null;
  plan_code: string;
  status: string;
  billing_time: string;
  subscription_at: string | null;
  started_at: string | null;
  ending_at: string | null;
  terminated_at: string | null;
  canceled_at: string | null;
  created_at: string;
}

export interface LagoFee {
  lago_id: string;
  lago_charge_id: string | null;
  lago_subscription_id: string | null;
  external_subscription_id: string | null;
  item: { type: string; code: string; name: string; invoice_display_name?: string | null };
  amount_cents: number;
  taxes_amount_cents: number;
  total_amount_cents: number;
  units: string;
  from_datetime: string | null;
  to_datetime: string | null;
}

export interface LagoInvoice {
  lago_id: string;
  number: string;
  issuing_date: string;
  invoice_type: string;
  status: string;
  payment_status: string;
  currency: string;
  fees_amount_cents: number;
  taxes_amount_cents: number;
  total_amount_cents: number;
  updated_at?: string;
  customer: { lago_id: string; external_id: string };
  fees: LagoFee[];
}

export interface LagoSnapshot {
  customers: LagoCustomer[];
  metrics: LagoBillableMetric[];
  plans: LagoPlan[];
  subscriptions: LagoSubscription[];
  /** Subscription invoices, finalized (drafts, voided and failed ones are not what Lago billed), with their fees. */
  invoices: LagoInvoice[];
}

/** Lago could not be reached or refused the call: the import or reconciliation fails with this reason. */
export class LagoSourceError extends Error {
  constructor(message: string) {
    super(message);
    // The importer's run bookkeeping treats this name as "the source failed" (the run says why), not as a bug.
    this.name = "SourceUnavailableError";
  }
}

const PER_PAGE = 100;
const REQUEST_TIMEOUT_MS = 30_000;

/** Why this API URL may not be used, or null. */
export function apiUrlProblem(apiUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return "The API URL is not a valid URL.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "The API URL must start with https:// (or http://).";
  if (url.username || url.password) return "Put the API key in its own field, not in the URL.";
  if (!/\/api\/v1\/?$/.test(url.pathname)) return "The API URL must end with /api/v1 (e.g. https://lago.example.com/api/v1).";
  const refusal = hostRefusal(url);
  if (refusal) return `The API URL names a ${refusal === "loopback" ? "loopback" : "non-public"} address, which Nexa Billing does not call.`;
  return null;
}

/** A Lago answer larger than this is refused rather than held in memory (a page of 100 invoices is far smaller). */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * Fetch for the Lago client: public addresses only, checked on the address the connection really uses (the resolver
 * is wrapped, so a name cannot answer a public address to a check and a private one to the connection), no redirects,
 * a timeout and a size cap.
 */
async function guardedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
  const literal = hostRefusal(url);
  if (literal) throw new LagoSourceError(`${url.hostname} is a ${literal === "loopback" ? "loopback" : "non-public"} address, which Nexa Billing does not call.`);
  const headers = Object.fromEntries(new Headers(init?.headers).entries());
  const body = typeof init?.body === "string" ? init.body : init?.body == null ? undefined : String(init.body);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const req = request(
      url,
      { method: init?.method ?? "GET", headers: body === undefined ? headers : { ...headers, "Content-Length": String(Buffer.byteLength(body)) }, lookup: checkedLookup() as never, agent: false, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new LagoSourceError(`Lago's answer is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB.`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => {
          const status = res.statusCode ?? 502;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === "string") responseHeaders.set(name, value);
            else if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
          }
          resolve(new Response(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`), { name: "TimeoutError" })));
    req.on("error", (error) => {
      if (error instanceof AddressNotAllowedError) reject(new LagoSourceError(`${url.hostname} resolves to a non-public address, which Nexa Billing does not call.`));
      else reject(error);
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export function lagoClient(connection: LagoConnection): Api<unknown> {
  const problem = apiUrlProblem(connection.apiUrl);
  if (problem) throw new LagoSourceError(problem);
  if (!connection.apiKey) throw new LagoSourceError("The Lago API key is missing.");
  return Client(connection.apiKey, { baseUrl: connection.apiUrl.replace(/\/+$/, ""), customFetch: guardedFetch as typeof fetch, rateLimitRetry: { maxRetries: 2, retryOnRateLimit: true, maxRetryDelay: 5000 } });
}

/** Turns whatever the client threw (an error Response, a network failure) into a LagoSourceError with Lago's reason. */
async function describeFailure(error: unknown, what: string): Promise<LagoSourceError> {
  if (error instanceof LagoSourceError) return error;
  if (error instanceof Response || (error && typeof error === "object" && "status" in error && "ok" in error)) {
    const response = error as Response & { error?: unknown };
    let body: { error?: string; code?: string } | null = null;
    try {
      body = response.error && typeof response.error === "object" ? (response.error as { error?: string; code?: string }) : ((await response.json()) as { error?: string; code?: string });
    } catch {
      body = null;
    }
    if (response.status === 401) return new LagoSourceError(`Lago refused the API key (401) while reading ${what}.`);
    const reason = [body?.error, body?.code].filter(Boolean).join(", ");
    return new LagoSourceError(`Lago answered ${response.status}${reason ? ` (${reason})` : ""} while reading ${what}.`);
  }
  const cause = (error as Error & { cause?: { code?: string; message?: string } })?.cause;
  const message = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  if ((error as Error)?.name === "TimeoutError") return new LagoSourceError(`Lago did not answer within ${REQUEST_TIMEOUT_MS / 1000} s while reading ${what}.`);
  return new LagoSourceError(`Cannot reach Lago while reading ${what}: ${message}`);
}

async function call<T>(what: string, work: () => Promise<{ data: unknown; status: number }>): Promise<T> {
  let response: { data: unknown; status: number };
  try {
    response = await work();
  } catch (error) {
    throw await describeFailure(error, what);
  }
  if (response.status >= 300) throw new LagoSourceError(`Lago answered ${response.status} while reading ${what} (redirects are not followed).`);
  if (!response.data || typeof response.data !== "object") throw new LagoSourceError(`Lago's answer to ${what} is not JSON.`);
  return response.data as T;
}

interface Page { meta?: { next_page?: number | null; total_count?: number } }

/** Every item of a paginated list, following `meta.next_page`. */
async function all<T>(what: string, key: string, fetchPage: (page: number) => Promise<{ data: unknown; status: number }>): Promise<T[]> {
  const items: T[] = [];
  let page: number | null = 1;
  for (let guard = 0; page !== null; guard++) {
    if (guard > 10_000) throw new LagoSourceError(`Lago's ${what} list never ends (more than 10,000 pages).`);
    const data: Page & Record<string, unknown> = await call(`${what} (page ${page})`, () => fetchPage(page!));
    const rows = data[key];
    if (!Array.isArray(rows)) throw new LagoSourceError(`Lago's answer to ${what} has no "${key}" list.`);
    items.push(...(rows as T[]));
    const next: number | null | undefined = data.meta?.next_page;
    page = typeof next === "number" && next > page ? next : null;
  }
  return items;
}

export interface LagoConnectionCheck {
  ok: boolean;
  problems: string[];
  counts: { label: string; count: number | null }[];
}

/** Reaches the instance with the key and counts what an import would read (one page of each list). */
export async function checkLagoConnection(connection: LagoConnection): Promise<LagoConnectionCheck> {
  const problems: string[] = [];
  const counts: LagoConnectionCheck["counts"] = [];
  let lago: Api<unknown>;
  try {
    lago = lagoClient(connection);
  } catch (error) {
    return { ok: false, problems: [(error as Error).message], counts };
  }
  const lists: [string, () => Promise<{ data: unknown; status: number }>][] = [
    ["customers", () => lago.customers.findAllCustomers({ per_page: 1 })],
    ["billable metrics", () => lago.billableMetrics.findAllBillableMetrics({ per_page: 1 })],
    ["plans", () => lago.plans.findAllPlans({ per_page: 1 })],
    ["subscriptions", () => lago.subscriptions.findAllSubscriptions({ per_page: 1, "status[]": ["active", "terminated"] })],
    ["invoices", () => lago.invoices.findAllInvoices({ per_page: 1 })],
  ];
  for (const [label, fetchOne] of lists) {
    try {
      const data = await call<Page>(label, fetchOne);
      counts.push({ label, count: typeof data.meta?.total_count === "number" ? data.meta.total_count : null });
    } catch (error) {
      problems.push((error as Error).message);
      counts.push({ label, count: null });
      if (/401|Cannot reach|did not answer|does not call|not a valid|must/.test((error as Error).message)) break; // the rest would fail alike
    }
  }
  return { ok: problems.length === 0, problems, counts };
}

/** Subscription invoices Lago finalized, issued between two dates (YYYY-MM-DD, inclusive), each with its fees. */
export async function readInvoices(connection: LagoConnection, range: { from?: string; to?: string } = {}): Promise<LagoInvoice[]> {
  const lago = lagoClient(connection);
  const listed = await all<LagoInvoice>("invoices", "invoices", (page) =>
    lago.invoices.findAllInvoices({ page, per_page: PER_PAGE, invoice_type: "subscription", ...(range.from ? { issuing_date_from: range.from } : {}), ...(range.to ? { issuing_date_to: range.to } : {}) } as never),
  );
  const invoices: LagoInvoice[] = [];
  for (const summary of listed) {
    if (summary.invoice_type !== "subscription" || summary.status !== "finalized") continue;
    // The list leaves fees out; the invoice itself carries them.
    const data = await call<{ invoice: LagoInvoice }>(`invoice ${summary.lago_id}`, () => lago.invoices.findInvoice(summary.lago_id));
    if (!data.invoice || !Array.isArray(data.invoice.fees)) throw new LagoSourceError(`Lago's invoice ${summary.lago_id} has no fees list.`);
    invoices.push(data.invoice);
  }
  return invoices;
}

/** Lago's invoices not settled yet (finalized, payment pending or failed), for the decommission checklist. */
export async function readOpenInvoices(connection: LagoConnection): Promise<LagoInvoice[]> {
  const lago = lagoClient(connection);
  const listed = await all<LagoInvoice>("invoices", "invoices", (page) => lago.invoices.findAllInvoices({ page, per_page: PER_PAGE, status: "finalized" } as never));
  return listed.filter((i) => i.status === "finalized" && i.payment_status !== "succeeded" && i.total_amount_cents > 0);
}

/** Everything an import reads, in one pass. */
export async function readLagoSnapshot(connection: LagoConnection): Promise<LagoSnapshot> {
  const lago = lagoClient(connection);
  const customers = await all<LagoCustomer>("customers", "customers", (page) => lago.customers.findAllCustomers({ page, per_page: PER_PAGE }));
  const metrics = await all<LagoBillableMetric>("billable metrics", "billable_metrics", (page) => lago.billableMetrics.findAllBillableMetrics({ page, per_page: PER_PAGE }));
  const plans = await all<LagoPlan>("plans", "plans", (page) => lago.plans.findAllPlans({ page, per_page: PER_PAGE }));
  const subscriptions = await all<LagoSubscription>("subscriptions", "subscriptions", (page) =>
    lago.subscriptions.findAllSubscriptions({ page, per_page: PER_PAGE, "status[]": ["active", "terminated"] }),
  );
  const invoices = await readInvoices(connection);
  return { customers, metrics, plans, subscriptions, invoices };
}

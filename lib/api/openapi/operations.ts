import { z } from "zod";
import { createMetricBody, updateMetricBody } from "@/lib/api/schemas/billable-metric";
import { costBody, MAX_COSTS_PER_BATCH } from "@/lib/api/schemas/cost";
import { creditNoteBody } from "@/lib/api/schemas/credit-note";
import { createAddOnBody, oneOffInvoiceBody, updateAddOnBody } from "@/lib/api/schemas/add-on";
import { applyCouponBody, createCouponBody, updateCouponBody } from "@/lib/api/schemas/coupon";
import { customerBody } from "@/lib/api/schemas/customer";
import { createPlanBody, updatePlanBody } from "@/lib/api/schemas/plan";
import { createSubscriptionBody, SUBSCRIPTION_STATUSES, TERMINATION_CREDIT_NOTE, TERMINATION_INVOICE, updateSubscriptionBody } from "@/lib/api/schemas/subscription";
import { eventBody, MAX_EVENTS_PER_BATCH, MAX_USAGE_PER_BATCH, usageRecordBody } from "@/lib/api/schemas/usage";
import { createWebhookEndpointBody, updateWebhookEndpointBody } from "@/lib/api/schemas/webhook-endpoint";
import { createWalletBody, updateWalletBody, walletTransactionBody } from "@/lib/api/schemas/wallet";
import * as r from "./responses";

/**
 * Every operation of the inbound API (`/api/billing/v1`), with the zod schemas its handler parses and answers.
 * The OpenAPI document is generated from this list; tests/integration/openapi-contract.test.ts checks that every route
 * module's methods are listed here and that real answers validate against the document.
 */

export type HttpMethod = "get" | "post" | "put" | "delete";

export interface QueryParameter {
  name: string;
  schema: z.ZodType;
  required?: boolean;
  description?: string;
}

export interface ApiOperation {
  method: HttpMethod;
  /** OpenAPI path template relative to the API base, e.g. `/customers/{external_id}`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  /** The JSON request body, named as a component (`<Name>`). */
  requestBody?: { name: string; schema: z.ZodType };
  query?: QueryParameter[];
  /** The 200 answer's body, named as a component. */
  response: { name: string; schema: z.ZodType };
  /** Answers 200 with an empty body in some cases (Lago's download of a draft invoice). */
  mayAnswerEmpty?: boolean;
  /** No API key needed. */
  public?: boolean;
}

const pageQuery: QueryParameter[] = [
  { name: "page", schema: z.number().int().min(1), description: "1-based page number" },
  { name: "per_page", schema: z.number().int().min(1).max(100), description: "Items per page (default and cap 100)" },
];
const arrayQuery = (name: string, values?: readonly string[], description?: string): QueryParameter => ({
  name: `${name}[]`,
  schema: z.array(values ? z.enum(values as [string, ...string[]]) : z.string()),
  description,
});
const textQuery = (name: string, description?: string, required = false): QueryParameter => ({ name, schema: z.string(), description, required });
const dateQuery = (name: string): QueryParameter => ({ name, schema: z.iso.date(), description: "YYYY-MM-DD" });
const statusQuery: QueryParameter = { name: "status", schema: z.enum(SUBSCRIPTION_STATUSES), description: "Which of the subscriptions with this external id (default active)" };

const envelope = (key: string, schema: z.ZodType) => z.strictObject({ [key]: schema });
const listOf = (key: string, schema: z.ZodType) => z.strictObject({ [key]: z.array(schema), meta: r.paginationMeta });

const CUSTOMER = { name: "CustomerResponse", schema: envelope("customer", r.customerObject) };
const PLAN = { name: "PlanResponse", schema: envelope("plan", r.planObject) };
const METRIC = { name: "BillableMetricResponse", schema: envelope("billable_metric", r.billableMetricObject) };
const SUBSCRIPTION = { name: "SubscriptionResponse", schema: envelope("subscription", r.subscriptionObject) };
const INVOICE = { name: "InvoiceResponse", schema: envelope("invoice", r.invoiceObject) };
const CREDIT_NOTE = { name: "CreditNoteResponse", schema: envelope("credit_note", r.creditNoteObject) };
const EVENT = { name: "EventResponse", schema: envelope("event", r.eventObject) };
const COUPON = { name: "CouponResponse", schema: envelope("coupon", r.couponObject) };
const APPLIED_COUPON = { name: "AppliedCouponResponse", schema: envelope("applied_coupon", r.appliedCouponObject) };
const APPLIED_COUPON_LIST = { name: "AppliedCouponList", schema: listOf("applied_coupons", r.appliedCouponObject) };
const ADD_ON = { name: "AddOnResponse", schema: envelope("add_on", r.addOnObject) };
const appliedCouponQuery: QueryParameter[] = [
  ...pageQuery,
  { name: "status", schema: z.enum(["active", "terminated"]) },
  arrayQuery("coupon_code"),
];
const WALLET = { name: "WalletResponse", schema: envelope("wallet", r.walletObject) };
const WEBHOOK_ENDPOINT = { name: "WebhookEndpointResponse", schema: envelope("webhook_endpoint", r.webhookEndpointObject) };

export const API_OPERATIONS: ApiOperation[] = [
  // Customers
  {
    method: "post", path: "/customers", operationId: "createCustomer", tag: "Customers",
    summary: "Create or update a customer (upsert keyed on external_id; absent keys keep their values)",
    requestBody: { name: "CustomerInput", schema: envelope("customer", customerBody) }, response: CUSTOMER,
  },
  {
    method: "get", path: "/customers", operationId: "findAllCustomers", tag: "Customers", summary: "List this service's customers",
    query: [...pageQuery, textQuery("external_id"), textQuery("search_term"), arrayQuery("countries"), arrayQuery("currencies")],
    response: { name: "CustomerList", schema: listOf("customers", r.customerObject) },
  },
  { method: "get", path: "/customers/{external_id}", operationId: "findCustomer", tag: "Customers", summary: "Retrieve a customer", response: CUSTOMER },
  { method: "delete", path: "/customers/{external_id}", operationId: "destroyCustomer", tag: "Customers", summary: "Delete a customer (terminates its subscriptions with this service)", response: CUSTOMER },
  {
    method: "get", path: "/customers/{external_id}/current_usage", operationId: "findCustomerCurrentUsage", tag: "Customers",
    summary: "Usage and its price in the current period, with taxes (read-your-writes)",
    query: [textQuery("external_subscription_id", "The subscription whose period is reported", true)],
    response: { name: "CustomerUsageResponse", schema: envelope("customer_usage", r.customerUsageObject) },
  },
  {
    method: "get", path: "/customers/{external_id}/portal_url", operationId: "getCustomerPortalUrl", tag: "Customers",
    summary: "A signed link that opens the customer's self-service portal",
    response: { name: "PortalUrlResponse", schema: envelope("customer", z.strictObject({ portal_url: z.string() })) },
  },
  {
    method: "post", path: "/customers/{external_id}/link_tokens", operationId: "createCustomerLinkToken", tag: "Customers",
    summary: "A single-use token (30 minutes) that lets a sibling service link its account to this customer",
    response: { name: "LinkTokenResponse", schema: envelope("link_token", r.linkTokenObject) },
  },

  // Billable metrics
  {
    method: "post", path: "/billable_metrics", operationId: "createBillableMetric", tag: "Billable metrics", summary: "Create a billable metric",
    requestBody: { name: "BillableMetricInput", schema: envelope("billable_metric", createMetricBody) }, response: METRIC,
  },
  {
    method: "get", path: "/billable_metrics", operationId: "findAllBillableMetrics", tag: "Billable metrics", summary: "List billable metrics",
    query: pageQuery, response: { name: "BillableMetricList", schema: listOf("billable_metrics", r.billableMetricObject) },
  },
  { method: "get", path: "/billable_metrics/{code}", operationId: "findBillableMetric", tag: "Billable metrics", summary: "Retrieve a billable metric", response: METRIC },
  {
    method: "put", path: "/billable_metrics/{code}", operationId: "updateBillableMetric", tag: "Billable metrics", summary: "Update a billable metric",
    requestBody: { name: "BillableMetricUpdate", schema: envelope("billable_metric", updateMetricBody) }, response: METRIC,
  },
  { method: "delete", path: "/billable_metrics/{code}", operationId: "destroyBillableMetric", tag: "Billable metrics", summary: "Delete a billable metric", response: METRIC },

  // Plans
  {
    method: "post", path: "/plans", operationId: "createPlan", tag: "Plans", summary: "Create a plan with its charges",
    requestBody: { name: "PlanInput", schema: envelope("plan", createPlanBody) }, response: PLAN,
  },
  { method: "get", path: "/plans", operationId: "findAllPlans", tag: "Plans", summary: "List plans", query: pageQuery, response: { name: "PlanList", schema: listOf("plans", r.planObject) } },
  { method: "get", path: "/plans/{code}", operationId: "findPlan", tag: "Plans", summary: "Retrieve a plan", response: PLAN },
  {
    method: "put", path: "/plans/{code}", operationId: "updatePlan", tag: "Plans", summary: "Update a plan (refused while another service uses it)",
    requestBody: { name: "PlanUpdate", schema: envelope("plan", updatePlanBody) }, response: PLAN,
  },
  { method: "delete", path: "/plans/{code}", operationId: "destroyPlan", tag: "Plans", summary: "Delete a plan", response: PLAN },

  // Subscriptions
  {
    method: "post", path: "/subscriptions", operationId: "createSubscription", tag: "Subscriptions",
    summary: "Create a subscription, or change the plan of the one with this external id (upgrade now, downgrade at period end)",
    requestBody: { name: "SubscriptionInput", schema: envelope("subscription", createSubscriptionBody) }, response: SUBSCRIPTION,
  },
  {
    method: "get", path: "/subscriptions", operationId: "findAllSubscriptions", tag: "Subscriptions", summary: "List subscriptions (default: active)",
    query: [...pageQuery, textQuery("external_customer_id"), textQuery("plan_code"), textQuery("external_id"), arrayQuery("status", SUBSCRIPTION_STATUSES),
      { name: "overridden", schema: z.enum(["true", "false"]), description: "Only subscriptions with (true) or without (false) a negotiated plan (plan_overrides)" }],
    response: { name: "SubscriptionList", schema: listOf("subscriptions", r.subscriptionObject) },
  },
  { method: "get", path: "/subscriptions/{external_id}", operationId: "findSubscription", tag: "Subscriptions", summary: "Retrieve a subscription", query: [statusQuery], response: SUBSCRIPTION },
  {
    method: "put", path: "/subscriptions/{external_id}", operationId: "updateSubscription", tag: "Subscriptions", summary: "Update a subscription",
    query: [statusQuery], requestBody: { name: "SubscriptionUpdate", schema: envelope("subscription", updateSubscriptionBody) }, response: SUBSCRIPTION,
  },
  {
    method: "delete", path: "/subscriptions/{external_id}", operationId: "destroySubscription", tag: "Subscriptions",
    summary: "Terminate a subscription (with status=pending, cancel one that has not started); its period is billed at once",
    query: [
      { name: "status", schema: z.enum(["active", "pending"]) },
      { name: "on_termination_credit_note", schema: z.enum(TERMINATION_CREDIT_NOTE) },
      { name: "on_termination_invoice", schema: z.enum(TERMINATION_INVOICE) },
    ],
    response: SUBSCRIPTION,
  },

  // Usage
  {
    method: "post", path: "/events", operationId: "createEvent", tag: "Usage", summary: "Send one usage event (exactly once per transaction_id)",
    requestBody: { name: "EventInput", schema: envelope("event", eventBody) }, response: EVENT,
  },
  {
    method: "post", path: "/events/batch", operationId: "createBatchEvents", tag: "Usage", summary: `Send up to ${MAX_EVENTS_PER_BATCH} events, all or nothing`,
    requestBody: { name: "EventBatchInput", schema: z.strictObject({ events: z.array(eventBody).max(MAX_EVENTS_PER_BATCH) }) },
    response: { name: "EventBatchResponse", schema: z.strictObject({ events: z.array(r.eventObject) }) },
  },
  {
    method: "get", path: "/events", operationId: "findAllEvents", tag: "Usage", summary: "List events, newest first",
    query: [...pageQuery, textQuery("code"), textQuery("external_subscription_id"), dateQuery("timestamp_from"), dateQuery("timestamp_to")],
    response: { name: "EventList", schema: listOf("events", r.eventObject) },
  },
  { method: "get", path: "/events/{transaction_id}", operationId: "findEvent", tag: "Usage", summary: "Retrieve an event by transaction id", response: EVENT },
  {
    method: "post", path: "/usage", operationId: "createUsage", tag: "Usage",
    summary: "Push an aggregate usage value for a period or instant (exactly once per idempotency_key)",
    requestBody: { name: "UsageInput", schema: envelope("usage", usageRecordBody) },
    response: { name: "UsageResponse", schema: envelope("usage", r.usageRecordObject) },
  },
  {
    method: "post", path: "/usage/batch", operationId: "createUsageBatch", tag: "Usage", summary: `Push up to ${MAX_USAGE_PER_BATCH} usage records, all or nothing`,
    requestBody: { name: "UsageBatchInput", schema: z.strictObject({ usage: z.array(usageRecordBody).max(MAX_USAGE_PER_BATCH) }) },
    response: { name: "UsageBatchResponse", schema: z.strictObject({ usage: z.array(r.usageReceiptObject) }) },
  },

  // Provider costs
  {
    method: "post", path: "/costs", operationId: "createCost", tag: "Costs",
    summary: "Record a provider cost of one customer on one day (exactly once per idempotency_key), for the margin report",
    requestBody: { name: "CostInput", schema: envelope("cost", costBody) },
    response: { name: "CostResponse", schema: envelope("cost", r.costObject) },
  },
  {
    method: "post", path: "/costs/batch", operationId: "createCostBatch", tag: "Costs", summary: `Record up to ${MAX_COSTS_PER_BATCH} provider costs, all or nothing`,
    requestBody: { name: "CostBatchInput", schema: z.strictObject({ costs: z.array(costBody).max(MAX_COSTS_PER_BATCH) }) },
    response: { name: "CostBatchResponse", schema: z.strictObject({ costs: z.array(r.costObject) }) },
  },

  // Invoices
  {
    method: "get", path: "/invoices", operationId: "findAllInvoices", tag: "Invoices", summary: "List this service's invoices",
    query: [
      ...pageQuery, textQuery("external_customer_id"),
      { name: "status", schema: z.enum(["draft", "finalized", "voided", "paid"]) },
      arrayQuery("statuses", ["draft", "finalized", "voided", "paid"]),
      dateQuery("issuing_date_from"), dateQuery("issuing_date_to"),
    ],
    response: { name: "InvoiceList", schema: listOf("invoices", r.invoiceObject) },
  },
  { method: "get", path: "/invoices/{id}", operationId: "findInvoice", tag: "Invoices", summary: "Retrieve an invoice with its fees and taxes", response: INVOICE },
  { method: "put", path: "/invoices/{id}/refresh", operationId: "refreshInvoice", tag: "Invoices", summary: "Re-rate a draft invoice from current usage", response: INVOICE },
  { method: "put", path: "/invoices/{id}/finalize", operationId: "finalizeInvoice", tag: "Invoices", summary: "Refresh and finalize a draft invoice (numbered, taxed, collected)", response: INVOICE },
  { method: "post", path: "/invoices/{id}/void", operationId: "voidInvoice", tag: "Invoices", summary: "Void a finalized, unpaid invoice", response: INVOICE },
  {
    method: "post", path: "/invoices/{id}/download", operationId: "downloadInvoice", tag: "Invoices",
    summary: "The invoice with a signed file_url to its PDF (empty 200 for a draft, as Lago)", response: INVOICE, mayAnswerEmpty: true,
  },

  {
    method: "post", path: "/invoices", operationId: "createInvoice", tag: "Invoices",
    summary: "Create a one-off invoice of add-ons: issued at once (numbered, taxed, collected)",
    requestBody: { name: "OneOffInvoiceInput", schema: envelope("invoice", oneOffInvoiceBody) }, response: INVOICE,
  },

  // Coupons
  {
    method: "post", path: "/coupons", operationId: "createCoupon", tag: "Coupons", summary: "Create a coupon (fixed amount or percentage; once, recurring or forever)",
    requestBody: { name: "CouponInput", schema: envelope("coupon", createCouponBody) }, response: COUPON,
  },
  { method: "get", path: "/coupons", operationId: "findAllCoupons", tag: "Coupons", summary: "List this service's coupons", query: pageQuery, response: { name: "CouponList", schema: listOf("coupons", r.couponObject) } },
  { method: "get", path: "/coupons/{code}", operationId: "findCoupon", tag: "Coupons", summary: "Retrieve a coupon", response: COUPON },
  {
    method: "put", path: "/coupons/{code}", operationId: "updateCoupon", tag: "Coupons", summary: "Update a coupon (its terms only while no customer has it)",
    requestBody: { name: "CouponUpdate", schema: envelope("coupon", updateCouponBody) }, response: COUPON,
  },
  { method: "delete", path: "/coupons/{code}", operationId: "destroyCoupon", tag: "Coupons", summary: "Delete a coupon (its applications are terminated)", response: COUPON },
  {
    method: "post", path: "/applied_coupons", operationId: "applyCoupon", tag: "Coupons", summary: "Apply a coupon to a customer (optionally overriding its terms)",
    requestBody: { name: "AppliedCouponInput", schema: envelope("applied_coupon", applyCouponBody) }, response: APPLIED_COUPON,
  },
  { method: "get", path: "/applied_coupons", operationId: "findAllAppliedCoupons", tag: "Coupons", summary: "List applied coupons", query: [...appliedCouponQuery, textQuery("external_customer_id")], response: APPLIED_COUPON_LIST },
  { method: "get", path: "/customers/{external_id}/applied_coupons", operationId: "findAllCustomerAppliedCoupons", tag: "Coupons", summary: "List a customer's applied coupons", query: appliedCouponQuery, response: APPLIED_COUPON_LIST },
  {
    method: "delete", path: "/customers/{external_id}/applied_coupons/{applied_coupon_id}", operationId: "deleteAppliedCoupon", tag: "Coupons",
    summary: "Remove a coupon from a customer (it stops applying to later invoices)", response: APPLIED_COUPON,
  },

  // Add-ons
  {
    method: "post", path: "/add_ons", operationId: "createAddOn", tag: "Add-ons", summary: "Create an add-on (a one-off item)",
    requestBody: { name: "AddOnInput", schema: envelope("add_on", createAddOnBody) }, response: ADD_ON,
  },
  { method: "get", path: "/add_ons", operationId: "findAllAddOns", tag: "Add-ons", summary: "List this service's add-ons", query: pageQuery, response: { name: "AddOnList", schema: listOf("add_ons", r.addOnObject) } },
  { method: "get", path: "/add_ons/{code}", operationId: "findAddOn", tag: "Add-ons", summary: "Retrieve an add-on", response: ADD_ON },
  {
    method: "put", path: "/add_ons/{code}", operationId: "updateAddOn", tag: "Add-ons", summary: "Update an add-on",
    requestBody: { name: "AddOnUpdate", schema: envelope("add_on", updateAddOnBody) }, response: ADD_ON,
  },
  { method: "delete", path: "/add_ons/{code}", operationId: "destroyAddOn", tag: "Add-ons", summary: "Delete an add-on", response: ADD_ON },

  // Credit notes
  {
    method: "post", path: "/credit_notes", operationId: "createCreditNote", tag: "Credit notes",
    summary: "Credit or refund fees of a finalized invoice (a refund goes back to the card that paid)",
    requestBody: { name: "CreditNoteInput", schema: envelope("credit_note", creditNoteBody) }, response: CREDIT_NOTE,
  },
  {
    method: "get", path: "/credit_notes", operationId: "findAllCreditNotes", tag: "Credit notes", summary: "List credit notes",
    query: pageQuery, response: { name: "CreditNoteList", schema: listOf("credit_notes", r.creditNoteObject) },
  },
  { method: "get", path: "/credit_notes/{id}", operationId: "findCreditNote", tag: "Credit notes", summary: "Retrieve a credit note", response: CREDIT_NOTE },
  { method: "post", path: "/credit_notes/{id}/download", operationId: "downloadCreditNote", tag: "Credit notes", summary: "The credit note with a signed file_url to its PDF", response: CREDIT_NOTE },

  // Wallets (prepaid credits)
  {
    method: "post", path: "/wallets", operationId: "createWallet", tag: "Wallets",
    summary: "Create a customer's wallet, with its first top-up (paid credits are billed on a credit invoice; granted credits are free)",
    requestBody: { name: "WalletInput", schema: envelope("wallet", createWalletBody) }, response: WALLET,
  },
  {
    method: "get", path: "/wallets", operationId: "findAllWallets", tag: "Wallets", summary: "List a customer's wallets",
    query: [...pageQuery, textQuery("external_customer_id", "The customer's external id", true)],
    response: { name: "WalletList", schema: listOf("wallets", r.walletObject) },
  },
  { method: "get", path: "/wallets/{id}", operationId: "findWallet", tag: "Wallets", summary: "Retrieve a wallet, with its ongoing balance", response: WALLET },
  {
    method: "put", path: "/wallets/{id}", operationId: "updateWallet", tag: "Wallets", summary: "Change a wallet's name, code, priority, expiration or payment rule",
    requestBody: { name: "WalletUpdateInput", schema: envelope("wallet", updateWalletBody) }, response: WALLET,
  },
  { method: "delete", path: "/wallets/{id}", operationId: "destroyWallet", tag: "Wallets", summary: "Terminate a wallet (its remaining credits are voided)", response: WALLET },
  {
    method: "get", path: "/wallets/{id}/wallet_transactions", operationId: "findAllWalletTransactions", tag: "Wallets", summary: "List a wallet's transactions",
    query: [
      ...pageQuery,
      { name: "status", schema: z.enum(["pending", "settled", "failed"]) },
      { name: "transaction_status", schema: z.enum(["purchased", "granted", "voided", "invoiced"]) },
      { name: "transaction_type", schema: z.enum(["inbound", "outbound"]) },
    ],
    response: { name: "WalletTransactionList", schema: listOf("wallet_transactions", r.walletTransactionObject) },
  },
  {
    method: "post", path: "/wallet_transactions", operationId: "createWalletTransaction", tag: "Wallets",
    summary: "Top up (paid or granted credits) or void credits of a wallet",
    requestBody: { name: "WalletTransactionInput", schema: envelope("wallet_transaction", walletTransactionBody) },
    response: { name: "WalletTransactionsResponse", schema: z.strictObject({ wallet_transactions: z.array(r.walletTransactionObject) }) },
  },

  // Webhook endpoints
  {
    method: "post", path: "/webhook_endpoints", operationId: "createWebhookEndpoint", tag: "Webhook endpoints", summary: "Register a webhook endpoint (public HTTPS addresses only)",
    requestBody: { name: "WebhookEndpointInput", schema: envelope("webhook_endpoint", createWebhookEndpointBody) }, response: WEBHOOK_ENDPOINT,
  },
  {
    method: "get", path: "/webhook_endpoints", operationId: "findAllWebhookEndpoints", tag: "Webhook endpoints", summary: "List webhook endpoints",
    query: pageQuery, response: { name: "WebhookEndpointList", schema: listOf("webhook_endpoints", r.webhookEndpointObject) },
  },
  { method: "get", path: "/webhook_endpoints/{id}", operationId: "findWebhookEndpoint", tag: "Webhook endpoints", summary: "Retrieve a webhook endpoint", response: WEBHOOK_ENDPOINT },
  {
    method: "put", path: "/webhook_endpoints/{id}", operationId: "updateWebhookEndpoint", tag: "Webhook endpoints", summary: "Update a webhook endpoint",
    requestBody: { name: "WebhookEndpointUpdate", schema: envelope("webhook_endpoint", updateWebhookEndpointBody) }, response: WEBHOOK_ENDPOINT,
  },
  { method: "delete", path: "/webhook_endpoints/{id}", operationId: "destroyWebhookEndpoint", tag: "Webhook endpoints", summary: "Delete a webhook endpoint", response: WEBHOOK_ENDPOINT },

  // Operations
  {
    method: "get", path: "/health", operationId: "health", tag: "Operations", public: true,
    summary: "Liveness and database reachability (503 with the same body when the database is unreachable)",
    response: { name: "HealthResponse", schema: r.healthObject },
  },
  {
    method: "get", path: "/openapi.json", operationId: "openApiDocument", tag: "Operations", public: true, summary: "This document",
    response: { name: "OpenApiDocument", schema: z.record(z.string(), z.unknown()) },
  },
];

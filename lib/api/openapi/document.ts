import { z } from "zod";
import { APP_VERSION } from "@/lib/version";
import { API_OPERATIONS, type ApiOperation } from "./operations";
import * as responses from "./responses";

/**
 * The OpenAPI 3.1 document of the inbound API, generated from the zod schemas the handlers use: request bodies as
 * the handlers accept them (zod's input side: amounts as integer or digit string, timestamps before parsing), answers
 * as the serializers write them. Served at `/api/billing/v1/openapi.json`.
 */

export const API_BASE_PATH = "/api/billing/v1";

/** Shared answer objects, named once in components.schemas and referenced from every envelope that holds them. */
const NAMED_OBJECTS: Record<string, z.ZodType> = {
  Customer: responses.customerObject,
  BillableMetric: responses.billableMetricObject,
  Charge: responses.chargeObject,
  Plan: responses.planObject,
  Subscription: responses.subscriptionObject,
  Invoice: responses.invoiceObject,
  CreditNote: responses.creditNoteObject,
  Event: responses.eventObject,
  UsageRecord: responses.usageRecordObject,
  UsageReceipt: responses.usageReceiptObject,
  WebhookEndpoint: responses.webhookEndpointObject,
  CustomerUsage: responses.customerUsageObject,
  PaginationMeta: responses.paginationMeta,
  Error: responses.errorBody,
};

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const uri = (id: string) => `#/components/schemas/${id}`;

type JsonSchema = Record<string, unknown>;

/** OpenAPI names components by their key: the dialect and the registry's `$id` would only repeat it. */
function withoutDialect(schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(schemas).map(([name, { $schema: _dialect, $id: _id, ...schema }]) => [name, schema]));
}

function componentSchemas(): Record<string, JsonSchema> {
  const answers = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(NAMED_OBJECTS)) answers.add(schema, { id });
  const inputs = z.registry<{ id: string }>();
  for (const op of API_OPERATIONS) {
    if (!answers.has(op.response.schema)) answers.add(op.response.schema, { id: op.response.name });
    if (op.requestBody && !inputs.has(op.requestBody.schema)) inputs.add(op.requestBody.schema, { id: op.requestBody.name });
  }
  const answerSchemas = z.toJSONSchema(answers, { uri, io: "output", unrepresentable: "any" }).schemas as Record<string, JsonSchema>;
  const inputSchemas = z.toJSONSchema(inputs, { uri, io: "input", unrepresentable: "any" }).schemas as Record<string, JsonSchema>;
  return withoutDialect({ ...answerSchemas, ...inputSchemas });
}

const ERROR_ANSWERS: Record<string, string> = {
  "400": "Malformed JSON, or the body lacks its root key",
  "401": "Missing, unknown or revoked API key",
  "403": "The key's service may not do this",
  "404": "Not found (or owned by another service)",
  "405": "Not allowed in the resource's current state (e.g. voiding a paid invoice)",
  "409": "Conflicts with the current state",
  "413": "Body larger than 5 MiB",
  "422": "Validation failed: error_details maps each field to codes",
  "429": "Rate limit exceeded: retry after Retry-After seconds",
  "503": "Database saturated or unreachable: retry after Retry-After seconds",
};

function errorCodesOf(op: ApiOperation): string[] {
  if (op.public) return ["503"];
  const codes = ["401", "403", "404", "405", "409", "422", "429", "503"];
  if (op.requestBody) codes.unshift("400", "413");
  return codes;
}

function parameterJsonSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  delete json.$schema;
  return json;
}

function operationObject(op: ApiOperation) {
  const pathParameters = [...op.path.matchAll(/\{([a-z_]+)\}/g)].map(([, name]) => ({ name, in: "path", required: true, schema: { type: "string" } }));
  const queryParameters = (op.query ?? []).map((q) => ({
    name: q.name,
    in: "query",
    required: q.required ?? false,
    ...(q.description ? { description: q.description } : {}),
    schema: parameterJsonSchema(q.schema),
    ...(q.name.endsWith("[]") ? { style: "form", explode: true } : {}),
  }));
  const answers: Record<string, unknown> = {
    "200": {
      description: op.mayAnswerEmpty ? "OK (an empty body when there is nothing to return)" : "OK",
      content: { "application/json": { schema: schemaRef(op.response.name) } },
    },
  };
  for (const code of errorCodesOf(op)) answers[code] = { $ref: `#/components/responses/Error${code}` };
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    ...(op.public ? { security: [] } : {}),
    ...(pathParameters.length || queryParameters.length ? { parameters: [...pathParameters, ...queryParameters] } : {}),
    ...(op.requestBody
      ? { requestBody: { required: true, content: { "application/json": { schema: schemaRef(op.requestBody.name) } } } }
      : {}),
    responses: answers,
  };
}

export function buildOpenApiDocument(serverUrl = API_BASE_PATH) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of API_OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: "3.1.0",
    info: {
      title: "Nexa Billing API",
      version: APP_VERSION,
      description:
        "Lago API v1–compatible billing API. Money is in integer minor units (cents); decimal quantities are strings. " +
        "Errors are `{status, error, code, error_details?, message?}`. See the README's table of Lago resources for differences.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(API_OPERATIONS.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "The service's API key" } },
      responses: Object.fromEntries(
        Object.entries(ERROR_ANSWERS).map(([code, description]) => [
          `Error${code}`,
          { description, content: { "application/json": { schema: schemaRef("Error") } } },
        ]),
      ),
      schemas: componentSchemas(),
    },
  };
}

let cached: ReturnType<typeof buildOpenApiDocument> | undefined;

/** Built once per process: the schemas do not change while it runs. */
export function openApiDocument() {
  return (cached ??= buildOpenApiDocument());
}

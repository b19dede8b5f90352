import { isDatabaseUnreachable, isPoolExhausted } from "@/lib/db/sql";
import { DomainError, isRetryableConflict } from "@/lib/errors";

/**
 * Lago-shaped API errors: `{status, error, code?, error_details?}` with Lago's phrases per HTTP status.
 * Route handlers throw ApiError; `handleApiErrors` turns it (and anything unexpected) into a response.
 */
export type ErrorDetails = Record<string, unknown> | string;

const PHRASES: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code?: string,
    readonly details?: ErrorDetails,
    message?: string,
  ) {
    super(message ?? code ?? PHRASES[status] ?? "Error");
    this.name = "ApiError";
  }

  toBody(): Record<string, unknown> {
    const phrase = PHRASES[this.status] ?? "Error";
    const body: Record<string, unknown> = {
      status: this.status,
      error: this.status === 400 ? `${phrase}: ${this.message}` : phrase,
    };
    if (this.code) body.code = this.code;
    if (this.details !== undefined) body.error_details = this.details;
    if (this.status !== 400 && this.message && this.message !== this.code && this.message !== phrase) {
      body.message = this.message;
    }
    return body;
  }
}

export const notFound = (resource: string) => new ApiError(404, `${resource}_not_found`);
export const validationError = (details: Record<string, string[]>, message?: string) =>
  new ApiError(422, "validation_errors", details, message);

/** Seconds a client should wait before retrying a 503 (the pool's bounded wait has just expired). */
export const RETRY_AFTER_SECONDS = 1;

export function errorResponse(error: ApiError): Response {
  const headers: Record<string, string> = error.status === 503 ? { "Retry-After": String(RETRY_AFTER_SECONDS) } : {};
  return Response.json(error.toBody(), { status: error.status, headers });
}

const STATUS_OF_KIND: Record<DomainError["kind"], number> = {
  not_found: 404,
  invalid: 422,
  conflict: 409,
  forbidden: 403,
  not_allowed: 405,
};

export function apiErrorFromDomain(error: DomainError): ApiError {
  return new ApiError(STATUS_OF_KIND[error.kind], error.code, error.details as ErrorDetails | undefined, error.message);
}

/** Runs a handler; API and domain errors become their Lago body, anything else a logged 500 with no internals leaked. */
export async function handleApiErrors(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    if (error instanceof DomainError) return errorResponse(apiErrorFromDomain(error));
    // Saturation and outages are the caller's cue to retry, not a bug: 503 + Retry-After, in Lago's shape. A
    // transaction that outlived its timeout under load, or that PostgreSQL aborted for a deadlock, was rolled back
    // whole: the same request sent again is safe.
    if (isPoolExhausted(error) || isRetryableConflict(error)) return errorResponse(new ApiError(503, "server_busy", undefined, "The server is busy; retry shortly."));
    if (isDatabaseUnreachable(error)) return errorResponse(new ApiError(503, "database_unavailable", undefined, "The database is unavailable; retry shortly."));
    console.error("Unhandled API error", error);
    return errorResponse(new ApiError(500, "internal_error", undefined, "An unexpected error occurred."));
  }
}

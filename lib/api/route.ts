import { sqlPool } from "@/lib/db/sql";
import { handleApiErrors } from "./errors";
import { authenticateService, type AuthenticatedService } from "./service-auth";

export interface ServiceRequestContext<P> {
  request: Request;
  url: URL;
  params: P;
  service: AuthenticatedService;
}

/** Wraps a Next.js route handler of the inbound API: API-key authentication, then Lago-shaped errors for any failure. */
export function serviceRoute<P extends object = object>(handler: (ctx: ServiceRequestContext<P>) => Promise<Response>) {
  return (request: Request, context: { params: Promise<P> }) =>
    handleApiErrors(async () => {
      const service = await authenticateService(sqlPool(), request.headers.get("authorization"));
      const params = (await context.params) ?? ({} as P);
      return handler({ request, url: new URL(request.url), params, service });
    });
}

const bigintAsNumber = (_key: string, value: unknown) => (typeof value === "bigint" ? Number(value) : value);

function stringify(body: unknown): string {
  try {
    return JSON.stringify(body);
  } catch (error) {
    // Bodies with bigint amounts take the slower path with a replacer; large usage answers have none.
    if (error instanceof TypeError) return JSON.stringify(body, bigintAsNumber);
    throw error;
  }
}

/** JSON response that carries bigint values as numbers (amounts in cents stay far below 2^53). */
export function json(body: unknown, status = 200): Response {
  return new Response(stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8" } });
}

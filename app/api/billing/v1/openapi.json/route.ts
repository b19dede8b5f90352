import { openApiDocument } from "@/lib/api/openapi/document";
import { methodNotAllowed } from "@/lib/api/route";
import { observed } from "@/lib/observability/request-log";

/** The OpenAPI 3.1 document of this API: public, like Lago's, and generated from the schemas the handlers use. */
export function GET(request: Request) {
  return observed(request, async () => Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } }));
}

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };

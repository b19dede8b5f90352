import { ApiError, errorResponse } from "@/lib/api/errors";

// Any path under the API that no route serves: Lago answers these with 404 resource_not_found.
function unknownRoute() {
  return errorResponse(new ApiError(404, "resource_not_found"));
}

export { unknownRoute as GET, unknownRoute as POST, unknownRoute as PUT, unknownRoute as PATCH, unknownRoute as DELETE };

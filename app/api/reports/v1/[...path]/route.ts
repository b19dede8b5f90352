import { ApiError, errorResponse } from "@/lib/api/errors";

// Any other path under the reporting API: 404 in Lago's shape, like the billing API.
function unknownRoute() {
  return errorResponse(new ApiError(404, "resource_not_found"));
}

export { unknownRoute as GET, unknownRoute as POST, unknownRoute as PUT, unknownRoute as PATCH, unknownRoute as DELETE };

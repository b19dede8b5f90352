import { notImplemented } from "@/lib/api/errors";
import { serviceRoute } from "@/lib/api/route";

const unavailable = serviceRoute(async () => {
  throw notImplemented("Invoicing");
});

export { unavailable as GET, unavailable as POST, unavailable as PUT };

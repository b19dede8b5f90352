import { db } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { json, serviceRoute, type ServiceRequestContext, methodNotAllowed } from "@/lib/api/route";
import { serializeInvoice } from "@/lib/api/serializers/invoice";
import { documentLink } from "@/lib/documents/document-links";
import { refreshAndFinalizeInvoice, refreshDraftInvoice, voidInvoice } from "@/lib/invoicing/invoice-actions";
import { getServiceInvoice } from "@/lib/invoicing/service-invoices";
import { publicBaseUrl } from "@/lib/portal/access-token";

type Params = { id: string; action: string };

async function respond({ request, params, service }: ServiceRequestContext<Params>, withFile = false) {
  const invoice = await getServiceInvoice(db(), service.id, params.id);
  const fileUrl = withFile && invoice.status !== "draft" ? documentLink(publicBaseUrl(request), "invoices", invoice.id) : null;
  return json({ invoice: serializeInvoice(invoice, { fileUrl }) });
}

/** POST download | void (Lago). */
export const POST = serviceRoute<Params>(async (ctx) => {
  const invoice = await getServiceInvoice(db(), ctx.service.id, ctx.params.id);
  switch (ctx.params.action) {
    case "download":
    case "download_pdf":
      // Lago returns an empty 200 for invoices without a file; drafts have none (they change until finalised).
      if (invoice.status === "draft") return new Response(null, { status: 200 });
      return respond(ctx, true);
    case "void":
      await voidInvoice(db(), invoice.id);
      return respond(ctx);
    default:
      throw new ApiError(404, "resource_not_found");
  }
});

/** PUT refresh | finalize (Lago). */
export const PUT = serviceRoute<Params>(async (ctx) => {
  const invoice = await getServiceInvoice(db(), ctx.service.id, ctx.params.id);
  switch (ctx.params.action) {
    case "refresh":
      await refreshDraftInvoice(db(), invoice.id);
      return respond(ctx);
    case "finalize":
      if (invoice.status !== "draft") throw new ApiError(404, "invoice_not_found", undefined, "Only a draft invoice can be finalized");
      await refreshAndFinalizeInvoice(db(), invoice.id, { actor: { type: "service", id: ctx.service.id } });
      return respond(ctx);
    default:
      throw new ApiError(404, "resource_not_found");
  }
});

export { methodNotAllowed as GET, methodNotAllowed as PATCH, methodNotAllowed as DELETE };

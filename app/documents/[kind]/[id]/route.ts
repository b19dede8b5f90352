import { db } from "@/lib/db/prisma";
import { verifyDocumentLink } from "@/lib/documents/document-links";
import { creditNoteDocument, invoiceDocument } from "@/lib/documents/ledger-documents";
import { renderBillingDocumentPdf } from "@/lib/documents/render-pdf";
import { ApiError, handleApiErrors } from "@/lib/api/errors";

export const dynamic = "force-dynamic";

/** A document PDF behind a signed, expiring link (the API's `file_url`). */
export async function GET(request: Request, { params }: { params: Promise<{ kind: string; id: string }> }) {
  return handleApiErrors(async () => {
    const { kind, id } = await params;
    const url = new URL(request.url);
    if ((kind !== "invoices" && kind !== "credit_notes") || !verifyDocumentLink(kind, id, url.searchParams.get("expires"), url.searchParams.get("signature"))) {
      throw new ApiError(404, "document_not_found");
    }
    const doc = kind === "invoices" ? await invoiceDocument(db(), id) : await creditNoteDocument(db(), id);
    const pdf = await renderBillingDocumentPdf(doc);
    return new Response(new Uint8Array(pdf), {
      headers: {
        "Content-Type": "application/pdf",
        "Content-Disposition": `attachment; filename="${doc.number ?? "draft"}.pdf"`,
        "Cache-Control": "private, no-store",
      },
    });
  });
}

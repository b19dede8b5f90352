import { createHmac, timingSafeEqual } from "node:crypto";

/** Signed, expiring download links for documents (Lago's `file_url`): whoever holds the link may fetch that file. */
const TTL_MS = 24 * 60 * 60 * 1000;

function signature(kind: string, id: string, expires: number): string {
  const secret = process.env.NEXTAUTH_SECRET;
  if (!secret) throw new Error("NEXTAUTH_SECRET is not set");
  return createHmac("sha256", `document-link:${secret}`).update(`${kind}:${id}:${expires}`).digest("base64url");
}

export function documentLink(baseUrl: string, kind: "invoices" | "credit_notes", id: string, now = Date.now()): string {
  const expires = now + TTL_MS;
  return `${baseUrl}/documents/${kind}/${id}?expires=${expires}&signature=${signature(kind, id, expires)}`;
}

export function verifyDocumentLink(kind: string, id: string, expires: string | null, given: string | null, now = Date.now()): boolean {
  if (!expires || !given || !/^\d+$/.test(expires) || Number(expires) < now) return false;
  const expected = Buffer.from(signature(kind, id, Number(expires)));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

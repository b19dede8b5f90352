import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { publicBaseUrl } from "@/lib/portal/access-token";
import { setPasswordWithLink } from "@/lib/staff/staff-members";

/**
 * The invitation form's target (a plain form post, so it works without JavaScript): sets the password through the
 * one-time link and sends the member to sign-in; a refused password goes back to the form with its reason.
 */
export async function POST(request: Request): Promise<Response> {
  const base = publicBaseUrl(request);
  const form = await request.formData().catch(() => null);
  const token = typeof form?.get("token") === "string" ? (form!.get("token") as string) : "";
  const password = typeof form?.get("password") === "string" ? (form!.get("password") as string) : "";
  const confirm = typeof form?.get("confirm") === "string" ? (form!.get("confirm") as string) : "";
  const back = (error: string) => Response.redirect(`${base}/staff/set-password/${encodeURIComponent(token)}?error=${error}`, 303);
  if (password !== confirm) return back("mismatch");
  try {
    const { email } = await setPasswordWithLink(db(), token, password);
    return Response.redirect(`${base}/signin?password=set&email=${encodeURIComponent(email)}`, 303);
  } catch (error) {
    if (error instanceof DomainError && error.code === "validation_errors") return back("invalid_password");
    if (error instanceof DomainError) return back("link");
    throw error;
  }
}

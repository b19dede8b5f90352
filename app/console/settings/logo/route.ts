import { currentStaff } from "@/lib/auth/staff-session";
import { db } from "@/lib/db/prisma";
import { companyProfile } from "@/lib/invoicing/company-profile";

export const dynamic = "force-dynamic";

/** The current logo, for the settings page's preview (staff only). */
export async function GET() {
  if (!(await currentStaff())) return new Response("Sign in as staff.", { status: 401 });
  const profile = await companyProfile(db());
  const logo = profile.logoId ? await db().companyLogo.findUnique({ where: { id: profile.logoId } }) : null;
  if (!logo) return new Response("No logo.", { status: 404 });
  return new Response(new Uint8Array(logo.data), {
    headers: { "Content-Type": logo.contentType, "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff" },
  });
}

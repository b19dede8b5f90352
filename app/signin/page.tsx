import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentStaff } from "@/lib/auth/staff-session";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata: Metadata = { title: "Staff sign-in" };

function safeCallback(value: string | string[] | undefined): string {
  const url = Array.isArray(value) ? value[0] : value;
  // Only same-site paths, never an open redirect.
  return url && url.startsWith("/") && !url.startsWith("//") ? url : "/console";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  // next-auth sends every sign-in error here; those of the customers' e-mailed links belong to the portal.
  if (params.error === "Verification" || params.error === "EmailSignin") redirect(`/portal/sign-in?error=${params.error}`);
  if (await currentStaff()) redirect(callbackUrl);
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6">
      <h1 className="text-2xl font-semibold">Nexa Billing</h1>
      <p className="mt-1 text-sm text-slate-600">Staff console sign-in</p>
      <SignInForm callbackUrl={callbackUrl} initialError={params.error ? "Sign-in failed. Check your e-mail and password." : undefined} />
    </main>
  );
}

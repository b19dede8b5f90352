import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentCustomer } from "@/lib/auth/customer-session";
import { EmailSignInForm } from "@/components/portal/email-sign-in-form";

export const metadata: Metadata = { title: "Sign in · Customer portal" };
export const dynamic = "force-dynamic";

const ERRORS: Record<string, string> = {
  Verification: "That sign-in link has expired or was already used. Ask for a new one below.",
  EmailSignin: "We could not send the sign-in e-mail. Try again in a moment.",
};

export default async function PortalSignIn({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  if (await currentCustomer()) redirect("/portal");
  const error = ERRORS[(await searchParams).error ?? ""];
  return (
    <section className="max-w-xl">
      <h1 className="text-2xl font-semibold">Sign in to your billing</h1>
      <p className="mt-3 text-slate-600">
        See and pay your invoices, manage your cards and billing details. Enter the e-mail address your invoices go to and
        we will e-mail you a sign-in link — or open billing from your Nexa service&apos;s account settings.
      </p>
      {error ? <p role="alert" className="mt-4 rounded-md bg-amber-50 px-4 py-2 text-sm text-amber-900">{error}</p> : null}
      <EmailSignInForm />
    </section>
  );
}

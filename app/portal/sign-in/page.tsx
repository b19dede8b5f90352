import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentCustomer } from "@/lib/auth/customer-session";
import { EmailSignInForm } from "@/components/portal/email-sign-in-form";

export const metadata: Metadata = { title: "Sign in · Customer portal" };
export const dynamic = "force-dynamic";

export default async function PortalSignIn() {
  if (await currentCustomer()) redirect("/portal");
  return (
    <section className="max-w-xl">
      <h1 className="text-2xl font-semibold">Sign in to your billing</h1>
      <p className="mt-3 text-slate-600">
        See and pay your invoices, manage your cards and billing details. Enter the e-mail address your invoices go to and
        we will e-mail you a sign-in link — or open billing from your Nexa service&apos;s account settings.
      </p>
      <EmailSignInForm />
    </section>
  );
}

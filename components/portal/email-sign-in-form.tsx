"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

/** Asks for the billing e-mail address and sends a one-time sign-in link to it. */
export function EmailSignInForm() {
  const [state, setState] = useState<"idle" | "sending" | "sent" | "failed">("idle");
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email") ?? "").trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      setError("Enter the e-mail address your invoices are sent to.");
      return;
    }
    setError(null);
    setState("sending");
    const result = await signIn("email", { email, callbackUrl: "/portal", redirect: false });
    setState(result && !result.error ? "sent" : "failed");
  }

  if (state === "sent") {
    return (
      <p role="status" className="mt-6 rounded-md bg-emerald-50 px-4 py-3 text-emerald-800">
        Check your e-mail: if the address is on a billing account, a sign-in link is on its way. It works once, for 15 minutes.
      </p>
    );
  }
  return (
    <form onSubmit={onSubmit} className="mt-6 max-w-md space-y-4" noValidate>
      <label className="block">
        <span className="text-sm font-medium">Billing e-mail</span>
        <input name="email" type="email" autoComplete="email" required aria-invalid={Boolean(error)}
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 focus:border-slate-900 focus:outline-none" />
      </label>
      {error || state === "failed" ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error ?? "We could not send the link. Try again in a moment."}</p>
      ) : null}
      <button type="submit" disabled={state === "sending"}
        className="rounded-md bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60">
        {state === "sending" ? "Sending…" : "E-mail me a sign-in link"}
      </button>
    </form>
  );
}

"use client";

import { signIn } from "next-auth/react";
import { useEffect, useState } from "react";

/** Exchanges a portal link's token for a customer session, then opens the portal. */
export function PortalTokenSignIn({ token }: { token: string }) {
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    signIn("portal-token", { token, redirect: false }).then((result) => {
      if (result && !result.error) window.location.replace("/portal");
      else setFailed(true);
    });
  }, [token]);
  return failed ? (
    <section role="alert" className="max-w-xl">
      <h1 className="text-2xl font-semibold">This link has expired</h1>
      <p className="mt-3 text-slate-600">Portal links are valid for 12 hours. Open billing again from your service&apos;s account settings.</p>
    </section>
  ) : (
    <p className="text-slate-600">Opening your billing portal…</p>
  );
}

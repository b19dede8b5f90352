"use client";

import { StatusPage } from "@/components/layout/status-page";

export default function PortalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <StatusPage code="Error" title="This page could not be shown" back={{ href: "/portal", label: "Back to your account" }}>
      <p>Nothing was changed. Try again in a moment; if it keeps failing, contact us with this reference: <code>{error.digest ?? "none"}</code>.</p>
      <button type="button" onClick={reset} className="mt-3 rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-50">Try again</button>
    </StatusPage>
  );
}

"use client";

import { StatusPage } from "@/components/layout/status-page";

export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <StatusPage code="Error" title="This page could not be shown" back={{ href: "/console", label: "Back to the console" }}>
      <p>Nothing was changed. Try again; if it keeps failing, give this reference to an administrator: <code>{error.digest ?? "none"}</code>.</p>
      <button type="button" onClick={reset} className="mt-3 rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-50">Try again</button>
    </StatusPage>
  );
}

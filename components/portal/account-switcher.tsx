"use client";

import { getCsrfToken } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";

/**
 * Switches the portal between the billing accounts the signed-in address opens. The session is updated through
 * next-auth's session endpoint; the server checks again that the chosen account is billed to the verified address.
 */
export function AccountSwitcher({ current, accounts }: { current: string; accounts: { id: string; name: string }[] }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);

  async function switchTo(customerId: string) {
    if (customerId === current) return;
    setPending(true);
    setFailed(false);
    const csrfToken = await getCsrfToken();
    const response = await fetch("/api/auth/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ csrfToken, data: { customerId } }),
    });
    const session = response.ok ? ((await response.json()) as { user?: { id?: string } }) : null;
    if (session?.user?.id === customerId) {
      router.replace("/portal");
      router.refresh();
      setPending(false);
      return;
    }
    setPending(false);
    setFailed(true);
  }

  return (
    <label className="flex items-center gap-2 text-sm text-slate-600">
      Account
      <select aria-label="Billing account" value={current} disabled={pending} onChange={(e) => void switchTo(e.target.value)} className="rounded-md border border-slate-300 px-2 py-1">
        {accounts.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
      </select>
      {failed ? <span role="alert" className="text-red-700">Could not switch accounts.</span> : null}
    </label>
  );
}

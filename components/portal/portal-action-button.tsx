"use client";

import { useActionState } from "react";
import type { PortalActionState } from "@/app/portal/actions";

/** A button running a portal server action, with its outcome (or refusal) announced beside it. */
export function PortalActionButton({ action, label, pendingLabel, variant = "primary", confirm }: {
  action: (state: PortalActionState) => Promise<PortalActionState>;
  label: string;
  pendingLabel: string;
  variant?: "primary" | "secondary";
  confirm?: string;
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle", message: null } as PortalActionState);
  const style = variant === "primary"
    ? "bg-slate-900 text-white hover:bg-slate-700"
    : "border border-slate-300 bg-white hover:bg-slate-50";
  return (
    <form action={formAction} onSubmit={(e) => { if (confirm && !window.confirm(confirm)) e.preventDefault(); }} className="inline-flex items-center gap-3">
      <button type="submit" disabled={pending} className={`rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-60 ${style}`}>
        {pending ? pendingLabel : label}
      </button>
      {state.message ? (
        <span role={state.status === "refused" ? "alert" : "status"} className={`text-sm ${state.status === "refused" ? "text-red-700" : "text-emerald-700"}`}>
          {state.message}
        </span>
      ) : null}
    </form>
  );
}
